import { createAgentMetrics, createMetricsRegistry, readSample, type Registry } from '@spillway/metrics';
import { defineEvents } from '@spillway/event-streams';
import { circuitStreamName, deliveriesStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { refusedUrl, type ReceivedRequest } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { circuitEvents } from '../flow-control/circuit-journal.ts';
import { worldForEachTest, waitUntil, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));

// Many quick retries, so that failures go on long enough for the circuit to open.
const patientRetry = { attempts: 20, baseDelayMs: 50, maxDelayMs: 200 };
const outage = { status: 503 } as const;
const sequenceOf = (request: ReceivedRequest) => request.headers['x-export-sequence'];
const profileOf = (request: ReceivedRequest) => (request.body as { person: { name: { firstName: string } } }).person.name.firstName;

const circuitTransitions = async (destinationId: string) =>
  (await world.store.readStreamEvents(circuitStreamName(destinationId), circuitEvents)).map((stored) => stored.event);

async function waitForTransitions(destinationId: string, count: number, timeoutMs = 20_000) {
  let found: Awaited<ReturnType<typeof circuitTransitions>> = [];
  const deadline = Date.now() + timeoutMs;
  while (found.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} events in ${circuitStreamName(destinationId)}, found ${found.map((event) => event.type).join(', ') || 'none'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    found = await circuitTransitions(destinationId);
  }
  return found;
}

const attemptEvents = defineEvents({ ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed });

const circuitGauge = async (registry: Registry, destinationId: string) => readSample(await registry.metrics(), 'spillway_destination_circuit_open', { destination: destinationId });

describe('delivery agent: circuit breaker', () => {
  it('opens the circuit of a dead endpoint (connection refused) after openAfterSeconds, while another destination keeps delivering fast', async () => {
    const refused = await refusedUrl();
    const healthy = await receiver();
    const [dead, alive, deadFlow, aliveFlow] = [world.id('dead'), world.id('alive'), world.id('dead-df'), world.id('alive-df')];
    await world.configureDestination({ destinationId: dead, endpoint: refused, auth: { type: 'none' }, retry: patientRetry, circuit: { openAfterSeconds: 1, probeEverySeconds: 1 } });
    await world.configureDestination({ destinationId: alive, endpoint: healthy.url, auth: { type: 'none' } });
    for (let profile = 1; profile <= 20; profile++) await world.requestExport({ dataflowId: deadFlow, destinationId: dead, profileId: `p-${profile}`, sequence: 1 });
    const registry = createMetricsRegistry('delivery-agent-test');
    const agent = world.startAgent({ metrics: createAgentMetrics(registry) });

    const [opened] = await waitForTransitions(dead, 1);
    expect(opened).toMatchObject({ type: 'CircuitOpened', data: { destinationId: dead, lastError: 'no answer (ECONNREFUSED)' } });
    if (opened?.type !== 'CircuitOpened') throw new Error('expected CircuitOpened');
    expect(Date.parse(opened.data.openedAt) - Date.parse(opened.data.failingSince)).toBeGreaterThanOrEqual(1_000);
    expect(await circuitGauge(registry, dead)).toBe(1);
    expect(await circuitGauge(registry, alive)).toBe(0);
    expect(agent.stats().openCircuits).toEqual([dead]);

    // During the outage: exports of the other destination, one every 100 ms, each timed from its request to its arrival.
    const requestedAt = new Map<string, number>();
    for (let profile = 1; profile <= 20; profile++) {
      requestedAt.set(`p-${profile}`, Date.now());
      await world.requestExport({ dataflowId: aliveFlow, destinationId: alive, profileId: `p-${profile}`, sequence: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await world.waitForOutcomes(aliveFlow, 20);
    const latencies = healthy.requests.map((request) => request.receivedAt - requestedAt.get(profileOf(request))!);
    expect(Math.max(...latencies)).toBeLessThan(1_500);

    // The dead destination's exports wait: none given up, and only probes (one a second) were tried meanwhile.
    const openedAt = Date.parse(opened.data.openedAt);
    const attemptsWhileOpen = (await world.failedAttempts(deadFlow)).filter((attempt) => Date.parse(attempt.startedAt) > openedAt + 500);
    const openForSeconds = (Date.now() - openedAt) / 1000;
    expect(attemptsWhileOpen.length).toBeLessThanOrEqual(Math.ceil(openForSeconds) + 1);
    expect(await world.outcomes(deadFlow)).toEqual([]);
    expect(await world.deadLetters(deadFlow)).toEqual([]);
  });

  it('probes an endpoint that answers 503, closes the circuit on its first answer, and delivers what waited by the ordering rules', async () => {
    const endpoint = await receiver({ respond: () => outage });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' }, retry: patientRetry, circuit: { openAfterSeconds: 1, probeEverySeconds: 1 } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-2', sequence: 1 });
    const registry = createMetricsRegistry('delivery-agent-test');
    world.startAgent({ metrics: createAgentMetrics(registry) });
    await waitForTransitions(destinationId, 1);

    // A newer state of p-1 while the circuit is open: it replaces the waiting one.
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    await waitUntil(() => world.logs.some((entry) => entry.message === 'export superseded, not sent'), 'p-1 sequence 1 to be superseded');
    const sentWhileOpen = endpoint.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // At most one probe a second (and one already on its way when it opened).
    expect(endpoint.requests.length - sentWhileOpen).toBeLessThanOrEqual(4);

    const recoveredAt = Date.now();
    endpoint.setResponder(() => ({ status: 200 }));
    const transitions = await waitForTransitions(destinationId, 2);
    expect(transitions.map((event) => event.type)).toEqual(['CircuitOpened', 'CircuitClosed']);
    const outcomes = await world.waitForOutcomes(dataflowId, 3, 20_000);

    expect(outcomes.map((outcome) => [outcome.type, outcome.data.profileId, outcome.data.sequence]).sort()).toEqual([
      ['ExportDelivered', 'p-1', 2],
      ['ExportDelivered', 'p-2', 1],
      ['ExportSuperseded', 'p-1', 1],
    ]);
    const afterRecovery = endpoint.requests.filter((request) => request.receivedAt > recoveredAt);
    expect(afterRecovery.map((request) => [profileOf(request), sequenceOf(request)]).sort()).toEqual([
      ['p-1', '2'],
      ['p-2', '1'],
    ]);
    // p-1 never received its older state after the newer one.
    const p1 = endpoint.requests.filter((request) => profileOf(request) === 'p-1').map(sequenceOf);
    expect(p1.slice(p1.indexOf('2'))).not.toContain('1');
    expect(await world.deadLetters(dataflowId)).toEqual([]);
    expect(await circuitGauge(registry, destinationId)).toBe(0);
  });

  it('after a restart while the circuit is open, stays open (only probes go) and closes once a probe is answered', async () => {
    const endpoint = await receiver({ respond: () => outage });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' }, retry: patientRetry, circuit: { openAfterSeconds: 1, probeEverySeconds: 3 } });
    for (let profile = 1; profile <= 3; profile++) await world.requestExport({ dataflowId, destinationId, profileId: `p-${profile}`, sequence: 1 });
    const first = world.startAgent();
    await waitForTransitions(destinationId, 1);
    await first.stop();

    const restartedAt = Date.now();
    const sentBefore = endpoint.requests.length;
    // Not `caughtUp`: it waits for the exports handed over, and those wait for the circuit.
    const second = world.startAgent();
    await waitUntil(() => endpoint.requests.length > sentBefore, 'the first probe after the restart', 20_000);
    // The first request after the restart is the probe, a whole probe interval later, not the waiting exports at once.
    expect(endpoint.requests[sentBefore]!.receivedAt - restartedAt).toBeGreaterThanOrEqual(2_900);
    expect(second.stats().openCircuits).toEqual([destinationId]);
    expect(world.logs.filter((entry) => entry.message === 'circuit open since before the start: exports to the destination wait for a probe')).toHaveLength(1);

    endpoint.setResponder(() => ({ status: 200 }));
    const outcomes = await world.waitForOutcomes(dataflowId, 3, 20_000);
    expect(outcomes.map((outcome) => outcome.type)).toEqual(['ExportDelivered', 'ExportDelivered', 'ExportDelivered']);
    expect((await waitForTransitions(destinationId, 2)).map((event) => event.type)).toEqual(['CircuitOpened', 'CircuitClosed']);
    expect(await world.deadLetters(dataflowId)).toEqual([]);
    // The failed probes are recorded as failed while the circuit was open: a later restart does not charge them.
    expect((await world.failedAttempts(dataflowId)).some((failed) => failed.whileCircuitOpen === true)).toBe(true);
  });

  it('after a restart, attempts that failed while the circuit was open still do not count against the retry limit', async () => {
    let answered = 0;
    const endpoint = await receiver({ respond: () => (answered++ === 0 ? { status: 503 } : { status: 200 }) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' }, retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 } });
    const exportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    // What an agent process stopped during an outage left: four probes failed while the circuit was open.
    const failedWhileOpen = [1, 2, 3, 4].map((attempt) => ({
      type: 'ExportAttemptFailed' as const,
      data: {
        exportId,
        sequence: 1,
        dataflowId,
        destinationId,
        profileId: 'p-1',
        attempt,
        startedAt: new Date(Date.now() - 10_000 + attempt * 1_000).toISOString(),
        durationMs: 3,
        status: 503,
        reason: 'the endpoint answered HTTP 503',
        nextAttemptAt: new Date(Date.now() - 1_000).toISOString(),
        whileCircuitOpen: true as const,
      },
    }));
    await world.store.appendEvents(deliveriesStreamName(dataflowId), attemptEvents, failedWhileOpen);

    // The restarted agent's attempt fails once more (503), now with the circuit closed: one retry is left, and it delivers.
    world.startAgent();
    const [outcome] = await world.waitForOutcomes(dataflowId, 1, 20_000);
    expect(outcome).toMatchObject({ type: 'ExportDelivered', data: { exportId, attempts: 6 } });
    expect(endpoint.requests).toHaveLength(2);
    expect(await world.deadLetters(dataflowId)).toEqual([]);
  });

  it('with the circuit switched off, sends every retry to a failing endpoint and dead-letters what fails, as before', async () => {
    // Each 503 takes 150 ms: 12 attempts take longer than the second after which a circuit would open.
    const endpoint = await receiver({ respond: async () => (await new Promise((resolve) => setTimeout(resolve, 150)), outage) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    const retry = { attempts: 12, baseDelayMs: 100, maxDelayMs: 200 };
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' }, retry, circuit: { enabled: false, openAfterSeconds: 1 } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    world.startAgent();

    const [outcome] = await world.waitForOutcomes(dataflowId, 1, 20_000);
    expect(outcome).toMatchObject({ type: 'ExportFailed', data: { attempts: 12 } });
    expect(endpoint.requests).toHaveLength(12);
    expect(endpoint.requests.at(-1)!.receivedAt - endpoint.requests[0]!.receivedAt).toBeGreaterThan(1_000);
    expect(await circuitTransitions(destinationId)).toEqual([]);
  });
});
