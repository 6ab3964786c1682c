import type { HttpReceiver, ReceivedRequest } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, waitUntil, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
let endpoint: HttpReceiver;

const receiver = worldForEachTest((created) => (world = created));

const exportIdOf = (request: ReceivedRequest) => String(request.headers['x-export-id']);

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe('delivery agent: stop and restart', () => {
  it('loses nothing and re-sends only the exports that were in flight, with the same X-Export-Id', async () => {
    // Profiles p-1 and p-5 hang until the agent stops; the others are answered at once.
    const hanging = new Set(['p-1', 'p-5']);
    let hang = true;
    endpoint = await receiver({
      respond: (request) => {
        const profile = request.path.slice(1);
        return hang && hanging.has(profile) ? { status: 200, delayMs: 30_000 } : { status: 200 };
      },
    });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const exportIds: Record<string, string> = {};
    // p-1 comes first in the log, so the checkpoint (a low watermark) stays before everything.
    for (const profileId of ['p-1', 'p-2', 'p-3', 'p-4', 'p-5']) {
      await world.configureDestination({ destinationId: world.id(`dest-${profileId}`), endpoint: `${endpoint.url}/${profileId}`, auth: { type: 'none' } });
      exportIds[profileId] = await world.requestExport({ dataflowId, destinationId: world.id(`dest-${profileId}`), profileId, sequence: 1 });
    }

    const first = world.startAgent({ stopGraceMs: 0 });
    await world.waitForOutcomes(dataflowId, 3);
    await endpoint.waitForRequests(5);
    await first.stop();
    await expect(first.done).resolves.toBeUndefined();
    expect(await world.outcomes(dataflowId)).toHaveLength(3);

    hang = false;
    for (const profileId of ['p-6', 'p-7']) {
      exportIds[profileId] = await world.requestExport({ dataflowId, destinationId, profileId, sequence: 1 });
    }
    const second = world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 7);
    await second.caughtUp;
    await waitUntil(() => second.stats().inFlight === 0, 'the second agent to settle');

    // Nothing lost: every export has exactly one outcome, and it is a delivery.
    expect(countBy(outcomes.map((outcome) => `${outcome.type} ${outcome.data.profileId}`))).toEqual(
      Object.fromEntries(Object.keys(exportIds).map((profileId) => [`ExportDelivered ${profileId}`, 1])),
    );
    // Re-sent: only the two that were in flight when the first agent stopped.
    expect(countBy(endpoint.requests.map(exportIdOf))).toEqual({
      [exportIds['p-1']!]: 2,
      [exportIds['p-2']!]: 1,
      [exportIds['p-3']!]: 1,
      [exportIds['p-4']!]: 1,
      [exportIds['p-5']!]: 2,
      [exportIds['p-6']!]: 1,
      [exportIds['p-7']!]: 1,
    });
    expect(world.logs).toContainEqual(expect.objectContaining({ message: 'outcomes recorded after the checkpoint will not be sent again', exports: 3 }));
    expect(second.stats().exports).toEqual({ delivered: 4, failed: 0, superseded: 0, retried: 0, alreadyRecorded: 3 });
  });
});
