import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));


/** A receiver that answers after `delayMs` and remembers the most requests it held open at once. */
async function slowReceiver(delayMs: number) {
  let open = 0;
  let mostOpen = 0;
  const answeredAt: number[] = [];
  const endpoint = await receiver({
    respond: async () => {
      mostOpen = Math.max(mostOpen, ++open);
      await delay(delayMs);
      open--;
      answeredAt.push(Date.now());
      return { status: 200 };
    },
  });
  return { endpoint, mostOpen: () => mostOpen, answeredAt };
}

describe('delivery agent: one destination does not hold up another', () => {
  it('fails the exports of a destination whose secret is missing, clearly and once reported, while another destination keeps delivering', async () => {
    const endpoint = await receiver();
    const [broken, healthy, oauth, dataflowId] = [world.id('broken'), world.id('healthy'), world.id('oauth'), world.id('df')];
    await world.configureDestination({ destinationId: broken, endpoint: endpoint.url, auth: { type: 'bearer', token: 'env:SPILLWAY_TEST_MISSING' } });
    await world.configureDestination({ destinationId: healthy, endpoint: endpoint.url, auth: { type: 'none' } });
    await world.configureDestination({
      destinationId: oauth,
      endpoint: endpoint.url,
      auth: { type: 'oauth2-client-credentials', tokenUrl: `${endpoint.url}/token`, clientId: 'c', clientSecret: 'env:SPILLWAY_TEST_MISSING_CLIENT_SECRET', credentialsType: 'basic' },
    });
    // Other profiles than the healthy destination's: a newer export of the same (dataflow, profile)
    // would rightly supersede a broken one still waiting, whatever its destination.
    for (let profile = 1; profile <= 3; profile++) {
      await world.requestExport({ dataflowId, destinationId: broken, profileId: `b-${profile}`, sequence: 1 });
      await world.requestExport({ dataflowId, destinationId: healthy, profileId: `p-${profile}`, sequence: 2 });
    }
    await world.requestExport({ dataflowId, destinationId: oauth, profileId: 'p-9', sequence: 1 });
    await world.requestExport({ dataflowId, destinationId: world.id('never-configured'), profileId: 'p-10', sequence: 1 });

    world.startAgent({ env: { SPILLWAY_TEST_CLIENT_SECRET: 'client-secret-value' } });
    const outcomes = await world.waitForOutcomes(dataflowId, 8);

    // Outcomes of different profiles are recorded side by side: compare them sorted.
    const failed = outcomes
      .filter((outcome) => outcome.type === 'ExportFailed')
      .map((outcome) => [outcome.data.destinationId, outcome.data.attempts, outcome.data.reason])
      .sort();
    expect(failed).toEqual(
      [
        [broken, 0, `destination '${broken}' is unusable: auth: secret env:SPILLWAY_TEST_MISSING is not set`],
        [broken, 0, `destination '${broken}' is unusable: auth: secret env:SPILLWAY_TEST_MISSING is not set`],
        [broken, 0, `destination '${broken}' is unusable: auth: secret env:SPILLWAY_TEST_MISSING is not set`],
        [oauth, 0, `destination '${oauth}' is unusable: auth: secret env:SPILLWAY_TEST_MISSING_CLIENT_SECRET is not set`],
        [world.id('never-configured'), 0, `destination '${world.id('never-configured')}' is not configured`],
      ].sort(),
    );
    const delivered = outcomes
      .filter((outcome) => outcome.type === 'ExportDelivered')
      .map((outcome) => [outcome.data.destinationId, outcome.data.profileId])
      .sort();
    expect(delivered).toEqual([
      [healthy, 'p-1'],
      [healthy, 'p-2'],
      [healthy, 'p-3'],
    ]);
    expect(endpoint.requests).toHaveLength(3);
    const reports = world.logs.filter((entry) => entry.message === 'destination unusable, its exports will fail');
    expect(reports.map((entry) => [entry.level, entry.destinationId])).toEqual([
      ['warn', broken],
      ['warn', oauth],
    ]);
    expect(world.logText()).not.toContain('client-secret-value');
  });

  it('delivers to a fast destination while a slow one (answering after 1.5 s) is at its in-flight bound', async () => {
    const slow = await slowReceiver(1_500);
    const fast = await receiver();
    const [slowDestination, fastDestination, slowFlow, fastFlow] = [world.id('slow'), world.id('fast'), world.id('slow-df'), world.id('fast-df')];
    await world.configureDestination({ destinationId: slowDestination, endpoint: slow.endpoint.url, auth: { type: 'none' } });
    await world.configureDestination({ destinationId: fastDestination, endpoint: fast.url, auth: { type: 'none' } });
    // The slow destination's exports come first in the log, more of them than its bound.
    for (let profile = 1; profile <= 3; profile++) await world.requestExport({ dataflowId: slowFlow, destinationId: slowDestination, profileId: `p-${profile}`, sequence: 1 });
    for (let profile = 1; profile <= 10; profile++) await world.requestExport({ dataflowId: fastFlow, destinationId: fastDestination, profileId: `p-${profile}`, sequence: 1 });

    world.startAgent({ maxInFlightPerDestination: 2 });
    await world.waitForOutcomes(fastFlow, 10);
    await world.waitForOutcomes(slowFlow, 3);

    // Every fast export arrived before the slow endpoint had answered even its first request.
    const firstSlowAnswer = Math.min(...slow.answeredAt);
    expect(Math.max(...fast.requests.map((request) => request.receivedAt))).toBeLessThan(firstSlowAnswer);
    expect(slow.mostOpen()).toBe(2);
    expect(slow.endpoint.requests).toHaveLength(3);
  });

  it("holds a destination to its own maxInFlight, below the agent's bound", async () => {
    const slow = await slowReceiver(300);
    const [destinationId, dataflowId] = [world.id('one-at-a-time'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: slow.endpoint.url, auth: { type: 'none' }, maxInFlight: 1 });
    for (let profile = 1; profile <= 4; profile++) await world.requestExport({ dataflowId, destinationId, profileId: `p-${profile}`, sequence: 1 });

    world.startAgent({ maxInFlightPerDestination: 8 });
    await world.waitForOutcomes(dataflowId, 4);

    expect(slow.mostOpen()).toBe(1);
    expect(slow.endpoint.requests).toHaveLength(4);
  });

  it('delivers the exports of one dataflow and profile one at a time, in order', async () => {
    const answeredAt: number[] = [];
    const endpoint = await receiver({
      respond: async (request) => {
        if (request.headers['x-export-sequence'] === '1') await delay(300);
        answeredAt.push(Date.now());
        return { status: 200 };
      },
    });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-2', sequence: 1 });

    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 3);

    const forP1 = endpoint.requests.filter((request) => (request.body as { person: { name: { firstName: string } } }).person.name.firstName === 'p-1');
    expect(forP1.map((request) => request.headers['x-export-sequence'])).toEqual(['1', '2']);
    expect(forP1[1]!.receivedAt).toBeGreaterThanOrEqual(answeredAt[0]!);
    expect(outcomes.filter((outcome) => outcome.data.profileId === 'p-1').map((outcome) => outcome.data.sequence)).toEqual([1, 2]);
  });

  it('uses a destination as configured at its place in the log: a change applies to later exports, a deletion fails them', async () => {
    const before = await receiver();
    const after = await receiver();
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: before.url, auth: { type: 'none' } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    const agent = world.startAgent({ env: { SPILLWAY_TEST_TOKEN_2: 'tok-2' } });
    await world.waitForOutcomes(dataflowId, 1);

    await world.configureDestination({ destinationId, endpoint: after.url, auth: { type: 'bearer', token: 'env:SPILLWAY_TEST_TOKEN_2' } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    await world.waitForOutcomes(dataflowId, 2);
    await world.deleteDestination(destinationId);
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 3 });
    const outcomes = await world.waitForOutcomes(dataflowId, 3);

    expect(before.requests.map((request) => [request.headers['x-export-sequence'], request.headers.authorization])).toEqual([['1', undefined]]);
    expect(after.requests.map((request) => [request.headers['x-export-sequence'], request.headers.authorization])).toEqual([['2', 'Bearer tok-2']]);
    expect(outcomes.map((outcome) => [outcome.type, outcome.data.sequence])).toEqual([
      ['ExportDelivered', 1],
      ['ExportDelivered', 2],
      ['ExportFailed', 3],
    ]);
    expect(outcomes[2]!.data).toMatchObject({ attempts: 0, reason: `destination '${destinationId}' was deleted` });
    expect(agent.stats().destinations).toEqual({ usable: 0, unusable: 0, deleted: 1 });
  });
});
