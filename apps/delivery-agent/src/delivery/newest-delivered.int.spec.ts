import { randomUUID } from 'node:crypto';
import type { EventStore } from '@spillway/event-streams';
import { deliveriesStreamName, type ExportRequested } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { storeForThisFile } from '../test-setup/agent-harness.ts';
import { newestDeliveredIn } from './newest-delivered.ts';
import { agentOutputEvents, outcomeEvent } from './outcome-events.ts';

let store: EventStore;
storeForThisFile((connected) => (store = connected));

const request = (dataflowId: string, profileId: string, sequence: number, decidedAt = new Date().toISOString()): ExportRequested => ({
  exportId: randomUUID(),
  sequence,
  dataflowId,
  destinationId: 'dest',
  profileId,
  triggers: ['attribute'],
  lane: 'live',
  document: {},
  ingestedAt: decidedAt,
  decidedAt,
});
const deliveredEvent = (exported: ExportRequested) =>
  outcomeEvent(exported, { kind: 'attempted', delivery: { outcome: { kind: 'delivered', status: 200, durationMs: 1 }, attempts: 1, stoppedBecause: 'delivered' }, timeoutMs: 2_000 }, new Date());

async function recordDeliveries(dataflowId: string, exports: readonly ExportRequested[]): Promise<void> {
  for (let start = 0; start < exports.length; start += 200) {
    await store.appendEvents(deliveriesStreamName(dataflowId), agentOutputEvents, exports.slice(start, start + 200).map(deliveredEvent));
  }
}

describe('the newest delivered export of a replayed profile', () => {
  it('given the profile delivered twice and then 1,200 other deliveries, when its old export is replayed, finds its newest delivery pages back', async () => {
    const dataflowId = `nd-${randomUUID().slice(0, 8)}`;
    const first = request(dataflowId, 'target', 3);
    const newest = request(dataflowId, 'target', 7);
    const others = Array.from({ length: 1_200 }, (_, index) => request(dataflowId, `other-${index}`, 1));
    await recordDeliveries(dataflowId, [first, newest, ...others]);

    const found = await newestDeliveredIn(store, { ...first, decidedAt: new Date(Date.now() - 60_000).toISOString() });

    expect(found).toEqual({ exportId: newest.exportId, sequence: 7 });
  });

  it('given the profile delivered only before the replayed export was decided, finds nothing newer and stops there', async () => {
    const dataflowId = `nd-${randomUUID().slice(0, 8)}`;
    const delivered = request(dataflowId, 'target', 2);
    await recordDeliveries(dataflowId, [delivered]);
    // Decided an hour after those deliveries were recorded: none of them can be of a newer export.
    const replayed = request(dataflowId, 'target', 5, new Date(Date.now() + 3_600_000).toISOString());

    expect(await newestDeliveredIn(store, replayed)).toBeUndefined();
  });

  it('given no delivery of the profile, finds none', async () => {
    const dataflowId = `nd-${randomUUID().slice(0, 8)}`;
    await recordDeliveries(dataflowId, [request(dataflowId, 'someone-else', 1)]);

    expect(await newestDeliveredIn(store, request(dataflowId, 'target', 1))).toBeUndefined();
  });
});
