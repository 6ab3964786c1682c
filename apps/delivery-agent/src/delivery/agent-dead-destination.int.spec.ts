import { createStreamCheckpointStore, comparePositions, defineEvents } from '@spillway/event-streams';
import { circuitStreamName, exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '@spillway/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { circuitEvents } from '../flow-control/circuit-journal.ts';
import { dataflowConsumerName } from './dataflow-consumer.ts';
import { createAgentWorld, waitUntil, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  world = await createAgentWorld();
});
afterEach(async () => {
  await world.close();
  await Promise.all(closers.splice(0).map((close) => close()));
});

// The reading window is far smaller than the profiles that wait for the dead destination.
const maxInFlight = 16;
const deadProfiles = 100;
const patientRetry = { attempts: 20, baseDelayMs: 50, maxDelayMs: 200 };
const circuit = { openAfterSeconds: 1, probeEverySeconds: 1 };
const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested });
const profileOf = (request: ReceivedRequest) => (request.body as { person: { name: { firstName: string } } }).person.name.firstName;

/**
 * An endpoint that drops every request now (the client sees a reset: retryable, as a refused
 * connection is) and, once `revive`d, answers 200, recording (profile, sequence). It keeps its port
 * all along: a port closed to play dead could be taken meanwhile by another test's server, whose
 * answer (a 404, say) is not retried and would turn the waiting exports into dead letters.
 */
async function deadEndpoint() {
  const received: { profile: string; sequence: number }[] = [];
  const endpoint = await startHttpReceiver({ respond: () => 'drop' });
  closers.push(() => endpoint.close());
  return {
    url: endpoint.url,
    received,
    revive() {
      endpoint.setResponder((request) => {
        received.push({ profile: profileOf(request), sequence: Number(request.headers['x-export-sequence']) });
        return { status: 200 };
      });
    },
  };
}

async function healthyEndpoint(): Promise<HttpReceiver> {
  const started = await startHttpReceiver();
  closers.push(() => started.close());
  return started;
}

async function waitForCircuit(destinationId: string, type: 'CircuitOpened' | 'CircuitClosed') {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = await world.store.readStreamEvents(circuitStreamName(destinationId), circuitEvents);
    if (events.at(-1)?.event.type === type) return;
    if (Date.now() > deadline) throw new Error(`expected ${type} in ${circuitStreamName(destinationId)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Requests `count` exports of the healthy dataflow, one every 50 ms, and returns how long each took to reach the endpoint. */
async function deliverPromptly(healthy: HttpReceiver, dataflowId: string, destinationId: string, label: string, count: number): Promise<number[]> {
  const requestedAt = new Map<string, number>();
  for (let index = 1; index <= count; index++) {
    const profileId = `${label}-${index}`;
    requestedAt.set(profileId, Date.now());
    await world.requestExport({ dataflowId, destinationId, profileId, sequence: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await waitUntil(() => [...requestedAt.keys()].every((profileId) => healthy.requests.some((request) => profileOf(request) === profileId)), `${count} ${label} exports at the healthy endpoint`);
  return healthy.requests.filter((request) => requestedAt.has(profileOf(request))).map((request) => request.receivedAt - requestedAt.get(profileOf(request))!);
}

/** The newest sequence each profile received. */
function newestReceived(received: readonly { profile: string; sequence: number }[]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const { profile, sequence } of received) newest.set(profile, Math.max(newest.get(profile) ?? 0, sequence));
  return newest;
}

function expectedNewest(updated: number): Map<string, number> {
  return new Map(Array.from({ length: deadProfiles }, (_, index) => [`d-${index + 1}`, index < updated ? 2 : 1]));
}

/** A dead endpoint with `deadProfiles` exports requested for it, and a healthy one with nothing yet. */
async function givenDeadAndHealthyDestinations() {
  const dead = await deadEndpoint();
  const healthy = await healthyEndpoint();
  const [deadDest, aliveDest, deadFlow, aliveFlow] = [world.id('dead'), world.id('alive'), world.id('dead-df'), world.id('alive-df')];
  await world.configureDestination({ destinationId: deadDest, endpoint: dead.url, auth: { type: 'none' }, retry: patientRetry, circuit });
  await world.configureDestination({ destinationId: aliveDest, endpoint: healthy.url, auth: { type: 'none' } });
  for (let profile = 1; profile <= deadProfiles; profile++) await world.requestExport({ dataflowId: deadFlow, destinationId: deadDest, profileId: `d-${profile}`, sequence: 1 });
  return { dead, healthy, deadDest, aliveDest, deadFlow, aliveFlow };
}

describe('delivery agent: a dead destination holds up no other dataflow', () => {
  it('keeps delivering another dataflow promptly while more profiles than the reading window wait for a dead endpoint, then delivers each waiting profile’s latest state', async () => {
    const { dead, healthy, deadDest, aliveDest, deadFlow, aliveFlow } = await givenDeadAndHealthyDestinations();
    const agent = world.startAgent({ maxInFlight });
    await waitForCircuit(deadDest, 'CircuitOpened');

    // Newer states of ten waiting profiles: they replace the waiting ones.
    for (let profile = 1; profile <= 10; profile++) await world.requestExport({ dataflowId: deadFlow, destinationId: deadDest, profileId: `d-${profile}`, sequence: 2 });
    const latencies = await deliverPromptly(healthy, aliveFlow, aliveDest, 'a', 40);
    expect(latencies).toHaveLength(40);
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    expect(agent.stats().queued).toBe(deadProfiles);
    expect(agent.stats().openCircuits).toEqual([deadDest]);
    expect((await world.outcomes(deadFlow)).map((outcome) => outcome.type)).toEqual(Array(10).fill('ExportSuperseded'));

    dead.revive();
    await waitForCircuit(deadDest, 'CircuitClosed');
    const outcomes = await world.waitForOutcomes(deadFlow, deadProfiles + 10, 20_000);
    expect(outcomes.filter((outcome) => outcome.type === 'ExportDelivered')).toHaveLength(deadProfiles);
    expect(newestReceived(dead.received)).toEqual(expectedNewest(10));
    // No older state after a newer one.
    for (let profile = 1; profile <= 10; profile++) expect(dead.received.filter((each) => each.profile === `d-${profile}`).map((each) => each.sequence)).toEqual([2]);
    expect(await world.deadLetters(deadFlow)).toEqual([]);
    await waitUntil(() => agent.stats().inFlight === 0, 'the agent to settle');

    // With nothing new to read, the checkpoint still moves past the exports that waited.
    const [lastWaiting] = await world.store.readStreamEvents(exportsStreamName(deadFlow), exportEvents, { direction: 'backwards', maxCount: 1 });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const checkpoint = await createStreamCheckpointStore(world.store).load(dataflowConsumerName(agent.consumerName, deadFlow));
      if (checkpoint !== undefined && comparePositions(checkpoint, lastWaiting!.position!) >= 0) break;
      if (Date.now() > deadline) throw new Error('the checkpoint did not move past the exports that waited');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('after a restart, keeps the waiting exports (the checkpoint stayed before them) and delivers new exports of the other dataflow at once, without re-sending the delivered ones', async () => {
    const { dead, healthy, deadDest, aliveDest, deadFlow, aliveFlow } = await givenDeadAndHealthyDestinations();
    const first = world.startAgent({ maxInFlight, stopGraceMs: 0 });
    await waitForCircuit(deadDest, 'CircuitOpened');
    const before = await deliverPromptly(healthy, aliveFlow, aliveDest, 'before', 20);
    expect(Math.max(...before)).toBeLessThan(1_500);
    await world.waitForOutcomes(aliveFlow, 20);

    // What a kill -9 would leave: the dead dataflow's stored checkpoint is before its first waiting export.
    const [firstWaiting] = await world.store.readStreamEvents(exportsStreamName(deadFlow), exportEvents, { maxCount: 1 });
    const checkpoint = await createStreamCheckpointStore(world.store).load(dataflowConsumerName(first.consumerName, deadFlow));
    // None stored yet is before it too: the reader then starts at the dataflow's first configuration, which comes before its exports.
    expect(checkpoint === undefined || comparePositions(checkpoint, firstWaiting!.position!) < 0).toBe(true);
    await first.stop();

    for (let profile = 1; profile <= 5; profile++) await world.requestExport({ dataflowId: deadFlow, destinationId: deadDest, profileId: `d-${profile}`, sequence: 2 });
    const second = world.startAgent({ maxInFlight });
    const after = await deliverPromptly(healthy, aliveFlow, aliveDest, 'after', 20);
    expect(Math.max(...after)).toBeLessThan(1_500);
    expect(second.stats().openCircuits).toEqual([deadDest]);
    // Each healthy export reached its endpoint once: the restart re-sent none of them.
    expect(new Set(healthy.requests.map((request) => request.headers['x-export-id'])).size).toBe(healthy.requests.length);
    expect(healthy.requests).toHaveLength(40);

    dead.revive();
    await waitForCircuit(deadDest, 'CircuitClosed');
    const outcomes = await world.waitForOutcomes(deadFlow, deadProfiles + 5, 20_000);
    expect(outcomes.filter((outcome) => outcome.type === 'ExportDelivered')).toHaveLength(deadProfiles);
    expect(newestReceived(dead.received)).toEqual(expectedNewest(5));
    expect(await world.deadLetters(deadFlow)).toEqual([]);
  });
});
