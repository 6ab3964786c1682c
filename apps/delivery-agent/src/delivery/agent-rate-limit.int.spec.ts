import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));


/** The most requests received within any `windowMs` (each window starting at a request). */
function busiestWindow(receivedAt: readonly number[], windowMs: number): number {
  return Math.max(...receivedAt.map((start) => receivedAt.filter((at) => at >= start && at < start + windowMs).length));
}

describe('delivery agent: rate limit per destination', () => {
  it('sends no more than requestsPerSecond to a limited destination, while another destination is not held back', async () => {
    // Answers take 50 ms: without the limit, 20 exports would all be sent within a fraction of a second.
    const limited = await receiver({ respond: async () => (await delay(50), { status: 200 }) });
    const unlimited = await receiver();
    const [slowDestination, fastDestination, slowFlow, fastFlow] = [world.id('limited'), world.id('unlimited'), world.id('limited-df'), world.id('unlimited-df')];
    await world.configureDestination({ destinationId: slowDestination, endpoint: limited.url, auth: { type: 'none' }, rateLimit: { requestsPerSecond: 5 } });
    await world.configureDestination({ destinationId: fastDestination, endpoint: unlimited.url, auth: { type: 'none' } });
    for (let profile = 1; profile <= 20; profile++) await world.requestExport({ dataflowId: slowFlow, destinationId: slowDestination, profileId: `p-${profile}`, sequence: 1 });
    for (let profile = 1; profile <= 40; profile++) await world.requestExport({ dataflowId: fastFlow, destinationId: fastDestination, profileId: `p-${profile}`, sequence: 1 });

    world.startAgent();
    await world.waitForOutcomes(fastFlow, 40, 20_000);
    const limitedSoFar = limited.requests.length;
    await world.waitForOutcomes(slowFlow, 20, 30_000);

    const receivedAt = limited.requests.map((request) => request.receivedAt);
    // 5/s with a burst of 1: at most 6 sent in any second (a window can hold a token's edges) and
    // 16 in any 3 s; +1 for arrival jitter on a loaded machine.
    expect(busiestWindow(receivedAt, 1_000)).toBeLessThanOrEqual(7);
    expect(busiestWindow(receivedAt, 3_000)).toBeLessThanOrEqual(17);
    // 20 requests, one token each 200 ms: 3.8 s from the first sent to the last (less only by
    // arrival jitter); unlimited, they would all arrive within about 0.1 s.
    expect(Math.max(...receivedAt) - Math.min(...receivedAt)).toBeGreaterThanOrEqual(3_000);
    // The unlimited destination was done while the limited one had sent only part of its exports.
    expect(limitedSoFar).toBeLessThan(20);
    expect(unlimited.requests).toHaveLength(40);
  });
});
