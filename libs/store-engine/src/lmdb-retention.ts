import type { StreamHead } from './stream-head.ts';
import { baseStreamOf, isMetastream, limitsFromMetadataEvent, noLimits, removableBelow } from './stream-metadata.ts';
import type { StreamLimits } from './stream-metadata.ts';
import type { Tables } from './lmdb-tables.ts';
import { readHead, toHeadRow } from './lmdb-tables.ts';

/**
 * Space reclaimed as an EventStoreDB scavenge would, but eagerly: inside the write transaction of
 * an append, the events its stream's metadata now hides lose their log row, stream index row and
 * event id row. Same transaction, so a crash keeps all or none of it. At most this many events go
 * per append; a stream that had more (metadata set on a long stream) loses the rest over its next
 * appends, and reads hide them meanwhile.
 */
const maxRemovedPerAppend = 1_000;

/**
 * After an append to `streamId` (inside its transaction): records new metadata and removes what is
 * hidden. Returns the log positions removed.
 */
export function afterAppend(tables: Tables, streamId: string): number[] {
  const removed: number[] = [];
  if (isMetastream(streamId)) {
    const baseStream = baseStreamOf(streamId);
    storeLimits(tables, baseStream, latestLimits(tables, streamId));
    removeHiddenEvents(tables, baseStream, removed);
  }
  removeHiddenEvents(tables, streamId, removed);
  return removed;
}

/** Removes up to `maxRemovedPerAppend` stored events that `streamId`'s metadata hides; adds their positions to `removed`. */
export function removeHiddenEvents(tables: Tables, streamId: string, removed: number[]): void {
  const head = readHead(tables, streamId);
  const below = removableBelow(streamId, head);
  if (below <= 0) return;
  // Collected before removing: the range's cursor must not walk rows being removed.
  const hidden = [...tables.streamIndex.getRange({ start: [streamId, 0], end: [streamId, below], limit: maxRemovedPerAppend })];
  for (const { key, value: position } of hidden) {
    const id = tables.logIds.get(position);
    if (id !== undefined && tables.eventIds.get(id) === position) tables.eventIds.remove(id);
    tables.log.remove(position);
    tables.streamIndex.remove(key);
    removed.push(position);
  }
}

function storeLimits(tables: Tables, streamId: string, limits: StreamLimits): void {
  const head: StreamHead = readHead(tables, streamId);
  tables.streams.put(streamId, toHeadRow({ ...head, limits }));
}

/** The limits the newest event of a metadata stream sets. */
function latestLimits(tables: Tables, metastreamId: string): StreamLimits {
  for (const { value: position } of tables.streamIndex.getRange({ start: [metastreamId, Number.MAX_SAFE_INTEGER], end: [metastreamId, 0], inclusiveEnd: true, reverse: true, limit: 1 })) {
    const row = tables.log.get(position);
    return row === undefined ? noLimits : limitsFromMetadataEvent(row[3], row[5]);
  }
  return noLimits;
}

/**
 * Heads written before metadata was enforced carry no limits: on open, every stream with a
 * metadata stream gets the limits of its latest metadata event. Idempotent; rows that already
 * carry limits are left alone, so later opens only scan the metadata streams' keys.
 */
export function backfillLimits(tables: Tables): number {
  const missing = [...tables.streams.getKeys({ start: '$$', end: '$%' })].filter((metastreamId) => {
    const row = tables.streams.get(baseStreamOf(metastreamId));
    return row === undefined || row.length < 5;
  });
  if (missing.length === 0) return 0;
  tables.root.transactionSync(() => {
    for (const metastreamId of missing) storeLimits(tables, baseStreamOf(metastreamId), latestLimits(tables, metastreamId));
  });
  return missing.length;
}
