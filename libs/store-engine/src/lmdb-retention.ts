import type { StreamHead } from './stream-head.ts';
import { baseStreamOf, expiredBeforeMicros, isMetastream, limitsFromMetadataEvent, noLimits, removableBelow } from './stream-metadata.ts';
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
 * After an append to `streamId` (inside its transaction, at `nowMicros`): records new metadata and
 * removes what is hidden. Returns the log positions removed.
 */
export function afterAppend(tables: Tables, streamId: string, nowMicros: number): number[] {
  const removed: number[] = [];
  if (isMetastream(streamId)) {
    const baseStream = baseStreamOf(streamId);
    storeLimits(tables, baseStream, latestLimits(tables, streamId));
    removeHiddenEvents(tables, baseStream, removed, nowMicros);
  }
  removeHiddenEvents(tables, streamId, removed, nowMicros);
  return removed;
}

/**
 * Removes up to `maxRemovedPerAppend` stored events that `streamId`'s metadata hides at
 * `nowMicros`; adds their positions to `removed`.
 */
export function removeHiddenEvents(tables: Tables, streamId: string, removed: number[], nowMicros: number): void {
  const head = readHead(tables, streamId);
  const below = Math.max(removableBelow(streamId, head), expiredBelow(tables, streamId, head, nowMicros));
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

/**
 * The revision below which the stored events are older than the stream's `$maxAge`, looking at no
 * more than `maxRemovedPerAppend` of them. Appends stamp `created` in revision order, so the expired
 * events are the oldest ones; the newest event is always kept, as by removableBelow.
 */
function expiredBelow(tables: Tables, streamId: string, head: StreamHead, nowMicros: number): number {
  const expiredBefore = expiredBeforeMicros(streamId, head, nowMicros);
  if (expiredBefore <= 0) return 0;
  let below = 0;
  for (const { key, value: position } of tables.streamIndex.getRange({ start: [streamId, 0], end: [streamId, head.lastRevision], limit: maxRemovedPerAppend })) {
    const row = tables.log.get(position);
    if (row !== undefined && row[7] >= expiredBefore) break;
    below = key[1] + 1;
  }
  return below;
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
 * The scavenge of `$maxAge`: an append removes the expired events of its own stream, this removes
 * those of streams that get no appends. Visits the streams with metadata after the metadata stream
 * `after` ('' for the first), at most `streamsPerRun` of them, and removes up to
 * `maxRemovedPerAppend` expired events of each. Returns the positions removed and the metadata
 * stream to go on after (undefined once every stream has been visited).
 */
export function removeExpiredEvents(tables: Tables, after: string, streamsPerRun: number, nowMicros: number): { removed: number[]; next: string | undefined } {
  const removed: number[] = [];
  let visited = 0;
  let last = after;
  for (const metastreamId of tables.streams.getKeys({ start: after === '' ? '$$' : after, end: '$%' })) {
    if (metastreamId === after) continue;
    if (visited === streamsPerRun) return { removed, next: last };
    visited += 1;
    last = metastreamId;
    const streamId = baseStreamOf(metastreamId);
    if (readHead(tables, streamId).limits.maxAgeSeconds !== undefined) removeHiddenEvents(tables, streamId, removed, nowMicros);
  }
  return { removed, next: undefined };
}

/**
 * Heads written before metadata was enforced (or before `$maxAge` was) lack limits: on open, every
 * stream with a metadata stream gets the limits of its latest metadata event. Idempotent; rows
 * that already carry limits are left alone, so later opens only scan the metadata streams' keys.
 */
export function backfillLimits(tables: Tables): number {
  const missing = [...tables.streams.getKeys({ start: '$$', end: '$%' })].filter((metastreamId) => {
    const row = tables.streams.get(baseStreamOf(metastreamId));
    return row === undefined || row.length < 6;
  });
  if (missing.length === 0) return 0;
  tables.root.transactionSync(() => {
    for (const metastreamId of missing) storeLimits(tables, baseStreamOf(metastreamId), latestLimits(tables, metastreamId));
  });
  return missing.length;
}
