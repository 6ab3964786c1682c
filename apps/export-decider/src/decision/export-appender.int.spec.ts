import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicEventId, type EventStore } from '@spillway/event-streams';
import { exportsStreamName, type ExportRequested } from '@spillway/pipeline-events';
import { captureLogger, connectForTest, readExports, uniqueId } from '../test-setup/store-fixtures.ts';
import { createExportAppender } from './export-appender.ts';
import { exportEventIdOf } from './export-id.ts';
import { exportEvents } from './export-events.ts';

const request = (dataflowId: string, profileId: string, sequence = 0): ExportRequested => ({
  exportId: deterministicEventId('export', dataflowId, profileId, sequence),
  sequence,
  dataflowId,
  destinationId: 'd',
  profileId,
  triggers: ['membership'],
  lane: 'live',
  document: { segmentMembership: { ups: {} }, identityMap: {} },
  ingestedAt: '2024-05-01T10:00:00.000Z',
  decidedAt: '2024-05-01T10:00:05.000Z',
});

describe('export appender against the real store', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await connectForTest(captureLogger().logger);
  });
  afterAll(() => store.close());

  const exportIds = async (dataflowId: string) => (await readExports(store, dataflowId)).map((written) => written.exportId);

  it('writes the requests decided while an append is in flight together, each once, in the order they came', async () => {
    const df = uniqueId('df');
    const appender = createExportAppender(store);
    const requests = Array.from({ length: 120 }, (_, index) => request(df, `p${index}`));
    await Promise.all(requests.map((one) => appender.append(exportsStreamName(df), one, true)));
    expect(await exportIds(df)).toEqual(requests.map((one) => one.exportId));
    expect(appender.counts().requests).toBe(120);
    expect(appender.counts().appends).toBeLessThanOrEqual(3); // the first alone, then at most 100 a batch
  });

  it('never batches a request that may be written already: the store would take a batch with a new first id as new and write it twice', async () => {
    const df = uniqueId('df');
    const stream = exportsStreamName(df);
    const [written, fresh] = [request(df, 'p-written'), request(df, 'p-fresh')];
    await store.appendEvents(stream, exportEvents, [{ type: 'ExportRequested', data: written, id: exportEventIdOf(written) }]);
    // The hazard, on the real store: a batch [new, already written] writes the second one again.
    const controlFlow = uniqueId('df');
    const control = exportsStreamName(controlFlow);
    const [controlWritten, controlFresh] = [request(controlFlow, 'p-written'), request(controlFlow, 'p-fresh')];
    await store.appendEvents(control, exportEvents, [{ type: 'ExportRequested', data: controlWritten, id: exportEventIdOf(controlWritten) }]);
    await store.appendEvents(control, exportEvents, [controlFresh, controlWritten].map((one) => ({ type: 'ExportRequested' as const, data: one, id: exportEventIdOf(one) })));
    expect((await store.readStreamEvents(control, exportEvents)).map((stored) => stored.event.data.profileId)).toEqual(['p-written', 'p-fresh', 'p-written']);

    const appender = createExportAppender(store);
    await Promise.all([appender.append(stream, fresh, true), appender.append(stream, written, false)]);
    expect((await exportIds(df)).sort()).toEqual([written.exportId, fresh.exportId].sort());
  });

  it('after a failed batch, appends each of its requests alone, then and when it comes again: nothing twice, the bad one refused on its own', async () => {
    const df = uniqueId('df');
    const stream = exportsStreamName(df);
    const appender = createExportAppender(store);
    const good = Array.from({ length: 5 }, (_, index) => request(df, `p${index}`));
    const bad = { ...request(df, 'p-bad'), sequence: -1 }; // the schema refuses it, so the batch holding it fails
    const first = request(df, 'p-first');
    const outcomes = await Promise.allSettled([first, ...good, bad].map((one) => appender.append(stream, one, true)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', ...good.map(() => 'fulfilled'), 'rejected']);
    // Decided again (e.g. retried after a transient error) behind new ones: batchable, yet alone, so the
    // store recognises each id (in a batch behind the new p-new-2 it would be written again).
    const again = [request(df, 'p-new-1'), request(df, 'p-new-2'), ...good];
    await Promise.all(again.map((one) => appender.append(stream, one, true)));
    const ids = await exportIds(df);
    expect(ids.sort()).toEqual([first, ...good, request(df, 'p-new-1'), request(df, 'p-new-2')].map((one) => one.exportId).sort());
  });
});
