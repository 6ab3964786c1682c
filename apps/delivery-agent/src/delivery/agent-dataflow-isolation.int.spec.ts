import { EventStoreDBClient } from '@eventstore/db-client';
import { comparePositions, createStreamCheckpointStore, defineEvents, formatPosition, HandlerFailedError, type Position } from '@spillway/event-streams';
import { deliveriesStreamName, exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { dataflowStreamName } from '@spillway/xdm';
import { refusedUrl, type ReceivedRequest } from '@spillway/testing';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { waitUntil, worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';
import { dataflowConsumerName } from './dataflow-consumer.ts';

let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));

// More waiting profiles than the dead destination's queue and the reading window together.
const settings = { maxQueuedPerDestination: 5, maxInFlight: 16 };
const deadProfiles = 200;
const patientRetry = { attempts: 20, baseDelayMs: 50, maxDelayMs: 200 };
const circuit = { openAfterSeconds: 1, probeEverySeconds: 1 };
const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested });
const anyDataflowEvent = defineEvents({ DataflowConfigured: z.unknown() }, { unknownTypes: 'ignore' });
const exportIdOf = (request: ReceivedRequest) => String(request.headers['x-export-id']);
const profileOf = (request: { body: unknown }) => (request.body as { person: { name: { firstName: string } } }).person.name.firstName;

describe('delivery agent: one export consumer per dataflow', () => {
  it("delivers another dataflow's exports promptly while a dead destination has more waiting profiles than its queue and the reading window hold", async () => {
    const healthy = await receiver();
    const [deadDest, aliveDest, deadFlow, aliveFlow] = [world.id('dead'), world.id('alive'), world.id('dead-df'), world.id('alive-df')];
    await world.configureDestination({ destinationId: deadDest, endpoint: await refusedUrl(), auth: { type: 'none' }, retry: patientRetry, circuit });
    await world.configureDestination({ destinationId: aliveDest, endpoint: healthy.url, auth: { type: 'none' } });
    for (let profile = 1; profile <= deadProfiles; profile++) await world.requestExport({ dataflowId: deadFlow, destinationId: deadDest, profileId: `d-${profile}`, sequence: 1 });

    const agent = world.startAgent(settings);
    const requestedAt = new Map<string, number>();
    for (let index = 1; index <= 20; index++) {
      const profileId = `a-${index}`;
      requestedAt.set(profileId, Date.now());
      await world.requestExport({ dataflowId: aliveFlow, destinationId: aliveDest, profileId, sequence: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const arrived = () => healthy.requests.filter((request) => requestedAt.has(profileOf(request)));
    await waitUntil(() => arrived().length === requestedAt.size, '20 exports at the healthy endpoint').catch(() => {});

    const latencies = arrived().map((request) => request.receivedAt - requestedAt.get(profileOf(request))!);
    console.log(`healthy dataflow: ${latencies.length} of 20 exports arrived, slowest after ${Math.max(0, ...latencies)} ms; dead destination: ${agent.stats().queued} held, ${agent.stats().inFlight} in flight`);
    expect(latencies).toHaveLength(20);
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    // The dead destination's queue is still at its bound: its other exports wait in its own dataflow's window.
    expect(agent.stats().queued).toBe(settings.maxQueuedPerDestination);
  });

  it("starts a dataflow consumer that has no checkpoint of its own from the single consumer's checkpoint (an agent from before), re-sending nothing before it", async () => {
    const endpoint = await receiver();
    const [destinationId, oldFlow, newFlow] = [world.id('dest'), world.id('old-df'), world.id('new-df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    for (const profileId of ['p-1', 'p-2', 'p-3']) await world.requestExport({ dataflowId: oldFlow, destinationId, profileId, sequence: 1 });
    // Where the single consumer of an agent from before stopped, past the three it delivered.
    const singleConsumer = world.id('agent');
    const delivered = await lastPositionOf(oldFlow);
    await createStreamCheckpointStore(world.store).save(singleConsumer, delivered);
    const sentAfter = [
      await world.requestExport({ dataflowId: oldFlow, destinationId, profileId: 'p-4', sequence: 1 }),
      await world.requestExport({ dataflowId: newFlow, destinationId, profileId: 'p-1', sequence: 1 }),
    ];

    const agent = world.startAgent({ consumerName: singleConsumer });
    await agent.caughtUp;

    expect(endpoint.requests.map(exportIdOf).sort()).toEqual([...sentAfter].sort());
    const started = (message: string) => world.logs.filter((entry) => entry.message === message).map((entry) => entry.dataflowId);
    expect(started("starting from the single consumer's checkpoint")).toEqual([oldFlow]);
    // Configured after that checkpoint: its own configuration is the later start.
    expect(started("starting at the dataflow's first configuration")).toEqual([newFlow]);
    // From here on each dataflow consumer has its own checkpoint, past what it delivered.
    for (const dataflowId of [oldFlow, newFlow]) {
      const own = await waitForCheckpoint(dataflowConsumerName(singleConsumer, dataflowId), await lastPositionOf(dataflowId));
      expect(comparePositions(own, delivered)).toBeGreaterThan(0);
    }
  });

  it('starts the consumer of a dataflow created on a long log at its first configuration, not at the start of the log', async () => {
    const endpoint = await receiver();
    const [destinationId, earlyFlow, lateFlow] = [world.id('dest'), world.id('early-df'), world.id('late-df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    for (let profile = 1; profile <= 50; profile++) await world.requestExport({ dataflowId: earlyFlow, destinationId, profileId: `e-${profile}`, sequence: 1 });
    const agent = world.startAgent();
    await world.waitForOutcomes(earlyFlow, 50);

    await world.configureDataflow(lateFlow, destinationId);
    const [configured] = await world.store.readStreamEvents(dataflowStreamName(lateFlow), anyDataflowEvent);
    const sent = await world.requestExport({ dataflowId: lateFlow, destinationId, profileId: 'l-1', sequence: 1 });
    await world.waitForOutcomes(lateFlow, 1);

    const lateName = dataflowConsumerName(agent.consumerName, lateFlow);
    const lateStart = world.logs.find((entry) => entry.message === 'consumer started' && entry.consumer === lateName);
    expect(lateStart?.from).toBe(formatPosition(configured!.position));
    expect(endpoint.requests.filter((request) => profileOf(request) === 'l-1').map(exportIdOf)).toEqual([sent]);
  });

  it("moves an idle dataflow's checkpoint on while another dataflow is busy, so after a restart it does not rescan the log, and neither dataflow re-sends what was delivered", async () => {
    const endpoint = await receiver();
    const [destinationId, idleFlow, busyFlow] = [world.id('dest'), world.id('idle-df'), world.id('busy-df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    await world.requestExport({ dataflowId: idleFlow, destinationId, profileId: 'i-1', sequence: 1 });
    const first = world.startAgent();
    await world.waitForOutcomes(idleFlow, 1);
    for (let profile = 1; profile <= 100; profile++) await world.requestExport({ dataflowId: busyFlow, destinationId, profileId: `b-${profile}`, sequence: 1 });
    await world.waitForOutcomes(busyFlow, 100);

    // The store's checkpoints of the idle consumer's filtered subscription carry it well past its own export.
    const [, halfwayBusy] = await world.store.readStreamEvents(exportsStreamName(busyFlow), exportEvents, { from: 49n, maxCount: 2 });
    const idleName = dataflowConsumerName(first.consumerName, idleFlow);
    const idleCheckpoint = await waitForCheckpoint(idleName, halfwayBusy!.position!);
    console.log(`idle dataflow's checkpoint: ${formatPosition(idleCheckpoint)}, its only export at ${formatPosition(await lastPositionOf(idleFlow))}, the busy dataflow's last at ${formatPosition(await lastPositionOf(busyFlow))}`);
    await first.stop();

    const storedIdle = await createStreamCheckpointStore(world.store).load(idleName);
    const second = world.startAgent();
    await second.caughtUp;
    const idleStart = world.logs.filter((entry) => entry.message === 'consumer started' && entry.consumer === idleName).at(-1);
    expect(idleStart?.from).toBe(formatPosition(storedIdle));
    const sentAfter = [
      await world.requestExport({ dataflowId: idleFlow, destinationId, profileId: 'i-2', sequence: 1 }),
      await world.requestExport({ dataflowId: busyFlow, destinationId, profileId: 'b-101', sequence: 1 }),
    ];
    await world.waitForOutcomes(idleFlow, 2);
    await world.waitForOutcomes(busyFlow, 101);

    const sent = endpoint.requests.map(exportIdOf);
    expect(sent).toHaveLength(103);
    expect(new Set(sent).size).toBe(103);
    expect(sent.slice(-2).sort()).toEqual([...sentAfter].sort());
    expect(second.stats().exports.alreadyRecorded).toBe(0);
  });

  it('stops the whole agent when one dataflow consumer fails (an outcome that cannot be recorded), every checkpoint before what it had not finished', async () => {
    const endpoint = await receiver();
    const [destinationId, brokenFlow, otherFlow] = [world.id('dest'), world.id('broken-df'), world.id('other-df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    await world.requestExport({ dataflowId: otherFlow, destinationId, profileId: 'p-1', sequence: 1 });
    const agent = world.startAgent();
    await world.waitForOutcomes(otherFlow, 1);
    // A deleted (tombstoned) outcome stream refuses every append: not an outage, so not waited out.
    const client = EventStoreDBClient.connectionString(inject('eventstoreConnectionString'));
    try {
      await client.tombstoneStream(deliveriesStreamName(brokenFlow));
    } finally {
      await client.dispose();
    }
    await world.requestExport({ dataflowId: brokenFlow, destinationId, profileId: 'p-1', sequence: 1 });

    const failure = await agent.done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HandlerFailedError);
    expect(failure).toMatchObject({ consumer: dataflowConsumerName(agent.consumerName, brokenFlow) });
    // The other dataflow's consumer stopped with it: an export requested now is not sent.
    await world.requestExport({ dataflowId: otherFlow, destinationId, profileId: 'p-2', sequence: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpoint.requests.map(profileOf)).toEqual(['p-1', 'p-1']);
    const brokenCheckpoint = await createStreamCheckpointStore(world.store).load(dataflowConsumerName(agent.consumerName, brokenFlow));
    expect(brokenCheckpoint === undefined || comparePositions(brokenCheckpoint, await lastPositionOf(brokenFlow)) < 0).toBe(true);
  });
});

async function lastPositionOf(dataflowId: string): Promise<Position> {
  const [last] = await world.store.readStreamEvents(exportsStreamName(dataflowId), exportEvents, { direction: 'backwards', maxCount: 1 });
  return last!.position!;
}

/** The consumer's stored checkpoint once it is at or past `target`. */
async function waitForCheckpoint(consumer: string, target: Position, timeoutMs = 10_000): Promise<Position> {
  const checkpoints = createStreamCheckpointStore(world.store);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await checkpoints.load(consumer);
    if (stored !== undefined && comparePositions(stored, target) >= 0) return stored;
    if (Date.now() > deadline) throw new Error(`${consumer}'s checkpoint did not reach ${formatPosition(target)} (at ${formatPosition(stored) ?? 'none'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
