import type { AppendOutcome, DeleteOutcome, ExpectedRevision, ProposedEvent, RecordedEvent } from './engine.ts';
import type { EventLookup, StreamHead } from './stream-head.ts';
import { decideAppend, decideSoftDelete, decideTombstone, metadataStreamOf } from './stream-head.ts';
import type { Tables } from './lmdb-tables.ts';
import { createdTicks, isMetastreamOfTombstoned, readHead, recordedEvent, toHeadRow, toLogRow, toRecordedRef } from './lmdb-tables.ts';
import type { WriteEffect } from './lmdb-writer.ts';
import { afterAppend } from './lmdb-retention.ts';

/**
 * The write operations. Each runs inside one LMDB write transaction, so it decides on exactly the
 * state it changes: no in-memory copy of the stream heads can drift from the disk.
 */

/** The newest position in the log within the running transaction (0 when empty), kept by its operations. */
export interface LogEnd {
  last: number;
}


export function appendInTransaction(
  tables: Tables,
  log: LogEnd,
  streamId: string,
  expected: ExpectedRevision,
  events: readonly ProposedEvent[],
  createdMicros: number,
): WriteEffect<AppendOutcome> {
  const head = readHead(tables, streamId);
  if (isMetastreamOfTombstoned(tables, streamId)) return { outcome: { kind: 'stream_deleted' }, lastWritten: 0 };
  const decision = decideAppend(head, streamId, expected, events, lookupIn(tables));
  switch (decision.kind) {
    case 'stream_deleted':
      return { outcome: { kind: 'stream_deleted' }, lastWritten: 0 };
    case 'wrong_expected_version':
      return { outcome: { kind: 'wrong_expected_version', currentRevision: decision.current, expected }, lastWritten: 0 };
    case 'replay':
      return { outcome: success(BigInt(decision.lastRevision), decision.lastPosition), lastWritten: 0 };
    case 'nothing_to_write': {
      const nextRevision = decision.current === 'no_stream' ? -1n : decision.current;
      return { outcome: success(nextRevision, log.last), lastWritten: 0 };
    }
    case 'write': {
      const written = writeEvents(tables, log, streamId, head, decision.firstRevision, events, createdMicros);
      const removed = afterAppend(tables, streamId, createdMicros);
      return {
        outcome: success(BigInt(written.lastRevision), written.lastPosition),
        lastWritten: written.lastPosition,
        change: { written: written.recorded, removed },
      };
    }
    default:
      return assertNever(decision);
  }
}

export function deleteInTransaction(
  tables: Tables,
  log: LogEnd,
  streamId: string,
  expected: ExpectedRevision,
  mode: 'soft' | 'hard',
): WriteEffect<DeleteOutcome> {
  const head = readHead(tables, streamId);
  const decision =
    mode === 'soft'
      ? decideSoftDelete(head, expected, readHead(tables, metadataStreamOf(streamId)).lastRevision >= 0)
      : decideTombstone(head, expected);
  switch (decision.kind) {
    case 'stream_deleted':
      return { outcome: decision, lastWritten: 0 };
    case 'wrong_expected_version':
      return { outcome: { kind: 'wrong_expected_version', currentRevision: decision.current, expected }, lastWritten: 0 };
    case 'delete':
      tables.streams.put(streamId, toHeadRow(decision.head));
      return { outcome: { kind: 'success', position: positionOrNone(log.last) }, lastWritten: 0 };
    default:
      return assertNever(decision);
  }
}

function writeEvents(
  tables: Tables,
  log: LogEnd,
  streamId: string,
  head: StreamHead,
  firstRevision: number,
  events: readonly ProposedEvent[],
  createdMicros: number,
): { lastRevision: number; lastPosition: number; recorded: RecordedEvent[] } {
  let position = log.last;
  let revision = firstRevision - 1;
  const created = createdTicks(createdMicros);
  const recorded: RecordedEvent[] = [];
  for (const event of events) {
    position += 1;
    revision += 1;
    // MDB_APPEND refuses a position that is not past the end; throwing aborts this operation.
    const appended: unknown = tables.log.putSync(position, toLogRow(streamId, revision, event, createdMicros), { append: true });
    if (appended !== true) {
      throw new Error(`log position ${position} is not past the end of the log`);
    }
    tables.streamIndex.put([streamId, revision], position);
    tables.eventIds.put(event.id, position);
    recorded.push(recordedEvent(streamId, revision, position, event, created));
  }
  tables.streams.put(streamId, toHeadRow({ ...head, lastRevision: revision }));
  log.last = position;
  return { lastRevision: revision, lastPosition: position, recorded };
}

function lookupIn(tables: Tables): EventLookup {
  const at = (position: number | undefined) => {
    const row = position === undefined ? undefined : tables.log.get(position);
    return row === undefined ? undefined : toRecordedRef(position!, row);
  };
  return {
    atRevision: (streamId, revision) => at(tables.streamIndex.get([streamId, revision])),
    byId: (id) => at(tables.eventIds.get(id)),
  };
}

function success(nextRevision: bigint, position: number): AppendOutcome {
  return { kind: 'success', nextRevision, position: positionOrNone(position) };
}

/** The interface reports an empty log as -1. */
export function positionOrNone(position: number): bigint {
  return position === 0 ? -1n : BigInt(position);
}

function assertNever(value: never): never {
  throw new Error(`unexpected decision ${JSON.stringify(value)}`);
}
