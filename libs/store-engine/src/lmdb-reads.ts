import type { EventSelector, ReadAllOptions, ReadStreamOptions, ReadStreamOutcome, RecordedEvent, SelectedPage } from './engine.ts';
import type { StreamHead } from './stream-head.ts';
import { currentRevisionOf } from './stream-head.ts';
import { expiredBeforeMicros, firstVisibleRevision, isDeletedByMetadata } from './stream-metadata.ts';
import type { Tables } from './lmdb-tables.ts';
import { isMetastreamOfTombstoned, readHead, toRecordedEvent } from './lmdb-tables.ts';

/**
 * Reads are lazy range scans. They do not pin a snapshot (snapshot: false): a slow reader must not
 * stop LMDB from reusing pages, and rows of the log and the stream index are only appended, or
 * removed once hidden by metadata, so a scan that moves to a newer snapshot sees the same sequence
 * with more at its end and perhaps fewer hidden events. Everything LMDB shows a
 * reader is durable: commits are fsynced before they become visible (overlappingSync is off).
 * Events hidden by a stream's metadata (`$maxCount`, `$tb`, `$maxAge` at `nowMicros`) are skipped
 * here even while still stored; once removed (lmdb-retention.ts) their positions are simply absent
 * from $all scans.
 */
export function readStreamEvents(tables: Tables, streamId: string, options: ReadStreamOptions, nowMicros: number): ReadStreamOutcome {
  const head = readHead(tables, streamId);
  if (head.tombstoned || isMetastreamOfTombstoned(tables, streamId)) return { kind: 'stream_deleted' };
  if (currentRevisionOf(head) === 'no_stream' || isDeletedByMetadata(streamId, head)) return { kind: 'stream_not_found' };
  const expiredBefore = expiredBeforeMicros(streamId, head, nowMicros);
  const events = streamEvents(tables, streamId, head, options, expiredBefore > 0 ? undefined : countOf(options.maxCount));
  return { kind: 'events', events: expiredBefore > 0 ? unexpired(events, expiredBefore, countOf(options.maxCount)) : events };
}

/** The events created at or after `expiredBefore`, up to `limit` of them. */
function* unexpired(events: Iterable<RecordedEvent>, expiredBefore: number, limit: number): Generator<RecordedEvent> {
  if (limit === 0) return;
  const before = BigInt(expiredBefore) * 10n; // `created` is in 100-nanosecond ticks
  let count = 0;
  for (const event of events) {
    if (event.created < before) continue;
    yield event;
    if (++count === limit) return;
  }
}

/** The stream's visible events by revision; `limit` undefined reads to the end of the range. */
function* streamEvents(tables: Tables, streamId: string, head: StreamHead, options: ReadStreamOptions, limit: number | undefined): Generator<RecordedEvent> {
  if (limit === 0) return;
  const firstVisible = firstVisibleRevision(streamId, head);
  let range;
  if (options.direction === 'forwards') {
    if (options.from === 'end') return;
    const from = Math.max(firstVisible, options.from === 'start' ? 0 : numberOf(options.from));
    range = tables.streamIndex.getRange({ start: [streamId, from], end: [streamId, Number.MAX_SAFE_INTEGER], ...limitOption(limit), snapshot: false });
  } else {
    // EventStoreDB reads backwards from Start as from revision 0.
    const from = options.from === 'end' ? Number.MAX_SAFE_INTEGER : options.from === 'start' ? 0 : numberOf(options.from);
    if (from < firstVisible) return;
    range = tables.streamIndex.getRange({
      start: [streamId, from],
      end: [streamId, firstVisible],
      inclusiveEnd: true,
      reverse: true,
      ...limitOption(limit),
      snapshot: false,
    });
  }
  for (const { value: position } of range) {
    const row = tables.log.get(position);
    if (row !== undefined) yield toRecordedEvent(position, row);
  }
}

const limitOption = (limit: number | undefined) => (limit === undefined ? {} : { limit });

export function* readAllEvents(tables: Tables, options: ReadAllOptions): Generator<RecordedEvent> {
  const range = logRange(options);
  if (range === undefined) return;
  for (const { key, value } of tables.log.getRange(range)) yield toRecordedEvent(key, value);
}

/** Decodes only the rows the selector keeps: the others are judged on one field read from their bytes. */
export function readAllSelected(tables: Tables, options: ReadAllOptions, selector: EventSelector): SelectedPage {
  const events: RecordedEvent[] = [];
  let scanned = 0;
  let lastScanned: number | undefined;
  const range = logRange(options);
  if (range === undefined) return { events, scanned, lastScanned: undefined };
  const view = selector.field === 'streamId' ? tables.logStreamIds : tables.logTypes;
  for (const { key, value: field } of view.getRange(range)) {
    scanned += 1;
    lastScanned = key;
    if (field !== undefined && !selector.matches(field)) continue;
    const row = tables.log.get(key);
    if (row === undefined) continue;
    const event = toRecordedEvent(key, row);
    if (field !== undefined || selector.matches(selector.field === 'streamId' ? event.streamId : event.type)) events.push(event);
  }
  return { events, scanned, lastScanned: lastScanned === undefined ? undefined : BigInt(lastScanned) };
}

function logRange(options: ReadAllOptions) {
  const limit = countOf(options.maxCount);
  if (limit === 0) return undefined;
  if (options.direction === 'forwards') {
    if (options.from === 'end') return undefined;
    return { start: options.from === 'start' ? 0 : numberOf(options.from), limit, snapshot: false };
  }
  if (options.from === 'start') return undefined;
  return { start: options.from === 'end' ? Number.MAX_SAFE_INTEGER : numberOf(options.from), reverse: true, limit, snapshot: false };
}

/** Revisions, positions and counts arrive as uint64; anything past 2^53 means "the end". */
function numberOf(value: bigint): number {
  if (value < 0n) return 0;
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function countOf(maxCount: bigint): number {
  return numberOf(maxCount);
}
