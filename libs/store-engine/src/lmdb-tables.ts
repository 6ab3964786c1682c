import type { Database, DatabaseOptions, RootDatabase } from 'lmdb';
import { logRowFieldDecoder } from './log-row-fields.ts';
import type { LogRowField } from './log-row-fields.ts';
import type { ProposedEvent, RecordedEvent } from './engine.ts';
import type { RecordedRef, StreamHead } from './stream-head.ts';
import { newStreamHead } from './stream-head.ts';
import { baseStreamOf, isMetastream, noLimits } from './stream-metadata.ts';

/**
 * The LMDB layout: one environment, four sub-databases. Keys use lmdb's ordered-binary encoding,
 * so numbers and [stream, revision] pairs sort as their values and reads are range scans.
 * - log:         position -> LogRow            ($all order; positions start at 1)
 * - streams:     stream id -> HeadRow
 * - streamIndex: [stream id, revision] -> position
 * - eventIds:    event id -> position           (newest event with that id; idempotent re-append)
 * `logStreamIds`, `logTypes` and `logIds` are read-only views of the log whose values are one field
 * of each row, read without decoding the row: filtered scans of $all use them, and removing hidden
 * events reads their ids through `logIds` (log-row-fields.ts).
 */
export interface Tables {
  readonly root: RootDatabase;
  readonly log: Database<LogRow, number>;
  readonly logStreamIds: Database<string | undefined, number>;
  readonly logTypes: Database<string | undefined, number>;
  readonly logIds: Database<string | undefined, number>;
  readonly streams: Database<HeadRow, string>;
  readonly streamIndex: Database<number, [string, number]>;
  readonly eventIds: Database<number, string>;
}

/** [streamId, revision, id, type, contentType, data, metadata, created (µs since the epoch)] */
export type LogRow = [string, number, string, string, string, Uint8Array, Uint8Array, number];

/**
 * [lastRevision, truncateBefore, tombstoned (0 | 1), metadata $maxCount (-1: none), metadata $tb,
 * metadata $maxAge in seconds (-1: none)]. Rows written before metadata was enforced have the first
 * three only, and before `$maxAge` was, the first five (both backfilled on open).
 */
export type HeadRow = [number, number, number, number?, number?, number?];

export function openTables(root: RootDatabase): Tables {
  return {
    root,
    log: root.openDB<LogRow, number>({ name: 'log' }),
    logStreamIds: openFieldView(root, 'streamId'),
    logTypes: openFieldView(root, 'type'),
    logIds: openFieldView(root, 'id'),
    streams: root.openDB<HeadRow, string>({ name: 'streams' }),
    streamIndex: root.openDB<number, [string, number]>({ name: 'streamIndex' }),
    eventIds: root.openDB<number, string>({ name: 'eventIds' }),
  };
}

function openFieldView(root: RootDatabase, field: LogRowField): Database<string | undefined, number> {
  // `encoder` is lmdb-js's documented custom encoder option, missing from its openDB typings.
  const options = { name: 'log', encoder: logRowFieldDecoder(field) } as DatabaseOptions & { name: string };
  return root.openDB<string | undefined, number>(options);
}

export function toLogRow(streamId: string, revision: number, event: ProposedEvent, createdMicros: number): LogRow {
  return [streamId, revision, event.id, event.type, event.contentType, event.data, event.metadata, createdMicros];
}

export function toRecordedEvent(position: number, row: LogRow): RecordedEvent {
  const [streamId, revision, id, type, contentType, data, metadata, createdMicros] = row;
  return recordedEvent(streamId, revision, position, { id, type, contentType, data, metadata }, createdTicks(createdMicros));
}

/** The event as reads return it: what toRecordedEvent decodes from its log row. */
export function recordedEvent(streamId: string, revision: number, position: number, event: ProposedEvent, created: bigint): RecordedEvent {
  return {
    streamId,
    revision: BigInt(revision),
    position: BigInt(position),
    id: event.id,
    type: event.type,
    contentType: event.contentType,
    data: event.data,
    metadata: event.metadata,
    created,
  };
}

/** `created` as reads report it: 100-nanosecond ticks, from the row's microseconds. */
export const createdTicks = (createdMicros: number): bigint => BigInt(createdMicros) * 10n;

export function toRecordedRef(position: number, row: LogRow): RecordedRef {
  return { streamId: row[0], revision: row[1], position, id: row[2] };
}

export function readHead(tables: Tables, streamId: string): StreamHead {
  const row = tables.streams.get(streamId);
  if (row === undefined) return newStreamHead;
  const [lastRevision, truncateBefore, tombstoned, maxCount = -1, metadataTb = 0, maxAge = -1] = row;
  const limits =
    maxCount < 0 && metadataTb === 0 && maxAge < 0
      ? noLimits
      : { maxCount: maxCount < 0 ? undefined : maxCount, truncateBefore: metadataTb, maxAgeSeconds: maxAge < 0 ? undefined : maxAge };
  return { lastRevision, truncateBefore, tombstoned: tombstoned === 1, limits };
}

/** EventStoreDB deletes a stream's metadata stream with it: `$$x` reads and writes as deleted once `x` is tombstoned. */
export function isMetastreamOfTombstoned(tables: Tables, streamId: string): boolean {
  return isMetastream(streamId) && readHead(tables, baseStreamOf(streamId)).tombstoned;
}

export function toHeadRow(head: StreamHead): HeadRow {
  const { limits } = head;
  return [head.lastRevision, head.truncateBefore, head.tombstoned ? 1 : 0, limits.maxCount ?? -1, limits.truncateBefore, limits.maxAgeSeconds ?? -1];
}

/** The newest position in the log, 0 when empty (positions start at 1). */
export function lastPosition(tables: Tables): number {
  for (const key of tables.log.getKeys({ reverse: true, limit: 1 })) return key;
  return 0;
}
