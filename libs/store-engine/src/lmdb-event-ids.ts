import type { Logger } from '@spillway/runtime';
import type { Tables } from './lmdb-tables.ts';
import { lastPosition } from './lmdb-tables.ts';

/**
 * The event-id index (event id -> position of the newest event with that id), written in batches.
 *
 * Event ids are random, so putting each one into the `eventIds` B-tree inside its append's
 * transaction dirties a leaf page per event, scattered over the whole index, in every commit.
 * Instead an append's ids are kept in memory (`pending`), and once `flushEvery` of them have
 * gathered, one transaction puts them into the table in id order, a leaf at a time, and records
 * the log position the table now covers (`meta.eventIdsThrough`). A crash loses nothing: on open,
 * the ids of the log after that position are read back into memory.
 *
 * Removing an event (by `$maxCount`, `$maxAge` or truncation) takes its id out at once: out of
 * memory, and out of the table inside the removing transaction if the table has it.
 */
export interface EventIdIndex {
  /** A view for one write transaction's operations: they see each other's ids, and only they do until `published`. */
  begin(): IdsInTransaction;
  /** Everything pending goes into the table once there are `flushEvery` (or, with `force`, any): run inside the write transaction, before its operations. */
  flushIfDue(force?: boolean): Flushed | undefined;
  /** After the write transaction's operations ran: later transactions see its ids from here on (a rollback takes them back in `settled`). */
  published(ids: IdsInTransaction): PublishedIds;
  /** The transaction holding `published` and `flushed` is committed, or was rolled back. */
  settled(published: PublishedIds, flushed: Flushed | undefined, committed: boolean): void;
  /** Ids not yet in the table. */
  readonly pendingCount: number;
}

export interface IdsInTransaction {
  positionOf(id: string): number | undefined;
  written(id: string, position: number): void;
  /** The event at `position` is gone: its id stops answering, unless a newer event has it. */
  removed(id: string, position: number): void;
  /** What this transaction wrote (0: removed), for a copy that runs one operation and may fail alone. */
  readonly changes: ReadonlyMap<string, number>;
  copy(): IdsInTransaction;
}

/** What a flush put into the table: removed from `pending` once that is committed. */
export type Flushed = ReadonlyArray<readonly [string, number]>;
/** What a transaction added to `pending`, with the values it replaced, to undo if it is rolled back. */
export type PublishedIds = ReadonlyArray<readonly [id: string, value: number, replaced: number | undefined]>;

export const DEFAULT_EVENT_ID_FLUSH_EVERY = 16_384;
/** In a transaction's changes: the id's newest event was removed. */
const removedId = 0;
const throughKey = 'eventIdsThrough';

export function openEventIdIndex(tables: Tables, flushEvery: number, logger: Logger): EventIdIndex {
  const pending = restorePending(tables, logger);
  let flushInFlight = false;

  const begin = (changes = new Map<string, number>()): IdsInTransaction => {
    const positionOf = (id: string) => {
      const position = changes.get(id) ?? pending.get(id) ?? tables.eventIds.get(id);
      return position === removedId ? undefined : position;
    };
    return {
      positionOf,
      written: (id, position) => void changes.set(id, position),
      removed(id, position) {
        if (positionOf(id) !== position) return;
        changes.set(id, removedId);
        tables.eventIds.remove(id);
      },
      changes,
      copy: () => begin(new Map(changes)),
    };
  };

  return {
    begin: () => begin(),
    flushIfDue(force = false) {
      if (flushInFlight || pending.size === 0 || (!force && pending.size < flushEvery)) return undefined;
      const entries = [...pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      tables.root.transactionSync(() => {
        for (const [id, position] of entries) tables.eventIds.put(id, position);
        tables.meta.put(throughKey, lastPosition(tables));
      });
      flushInFlight = true;
      return entries;
    },
    published(ids) {
      const published: [string, number, number | undefined][] = [];
      for (const [id, value] of ids.changes) {
        published.push([id, value, pending.get(id)]);
        if (value === removedId) pending.delete(id);
        else pending.set(id, value);
      }
      return published;
    },
    settled(published, flushed, committed) {
      if (flushed !== undefined) flushInFlight = false;
      if (committed) {
        for (const [id, value] of flushed ?? []) if (pending.get(id) === value) pending.delete(id);
        return;
      }
      for (const [id, value, replaced] of published) {
        if (pending.get(id) !== (value === removedId ? undefined : value)) continue;
        if (replaced === undefined) pending.delete(id);
        else pending.set(id, replaced);
      }
    },
    get pendingCount() {
      return pending.size;
    },
  };
}

/**
 * The ids of the events after the position the table covers. A data file from before this index
 * was batched has every id in the table: it covers the whole log, which is recorded before any
 * append can leave ids pending.
 */
function restorePending(tables: Tables, logger: Logger): Map<string, number> {
  const pending = new Map<string, number>();
  const through = tables.meta.get(throughKey);
  if (through === undefined) {
    tables.root.transactionSync(() => tables.meta.put(throughKey, lastPosition(tables)));
    return pending;
  }
  for (const { key: position, value: id } of tables.logIds.getRange({ start: through + 1 })) {
    if (id !== undefined) pending.set(id, position);
  }
  if (pending.size > 0) logger.info('event ids read back from the log', { ids: pending.size, afterPosition: through });
  return pending;
}
