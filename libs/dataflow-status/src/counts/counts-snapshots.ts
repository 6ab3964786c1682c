import { comparePositions, defineEvents, type EventStore } from '@spillway/event-streams';
import { countsSnapshotEventSchemas, countsSnapshotStreamName, type DataflowCountsSnapshotted } from '@spillway/pipeline-events';
import { parsePositionText } from './counts-tally.ts';

const countsSnapshotEvents = defineEvents(countsSnapshotEventSchemas);

/** Snapshots kept per dataflow (`$maxCount`): concurrent readers may each write one. */
export const countsSnapshotsKept = 3;

/**
 * The snapshot with the furthest position among the last few, or undefined. One that does not
 * parse (another version, a damaged event) is logged as rejected by the read and left out.
 */
export async function loadCountsSnapshot(store: EventStore, dataflowId: string): Promise<DataflowCountsSnapshotted | undefined> {
  const stored = await store.readStreamEvents(countsSnapshotStreamName(dataflowId), countsSnapshotEvents, { direction: 'backwards', maxCount: countsSnapshotsKept });
  let furthest: DataflowCountsSnapshotted | undefined;
  for (const { event } of stored) {
    if (event.data.dataflowId !== dataflowId) continue;
    if (!furthest || comparePositions(parsePositionText(event.data.position), parsePositionText(furthest.position)) > 0) furthest = event.data;
  }
  return furthest;
}

/** Best effort: counts are answered whether or not their snapshot could be stored. */
export async function saveCountsSnapshot(store: EventStore, snapshot: DataflowCountsSnapshotted, options: { readonly limitStream: boolean }): Promise<boolean> {
  const stream = countsSnapshotStreamName(snapshot.dataflowId);
  try {
    if (options.limitStream) await store.setStreamMaxCount(stream, countsSnapshotsKept);
    await store.appendEvents(stream, countsSnapshotEvents, [{ type: 'DataflowCountsSnapshotted', data: snapshot }]);
    return true;
  } catch (error) {
    store.logger.warn('dataflow counts snapshot not stored: the next reading scans from the previous one', {
      dataflowId: snapshot.dataflowId,
      stream,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}
