import { open } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { StoreDataDamagedError, messageOf } from './errors.ts';
import type { Tables } from './lmdb-tables.ts';
import { lastPosition, openTables } from './lmdb-tables.ts';

/** LMDB reports these when a file is not a valid environment or a page cannot be trusted. */
const damageCodes = /MDB_INVALID|MDB_CORRUPTED|MDB_PAGE_NOTFOUND|MDB_VERSION_MISMATCH|MDB_BAD_DBI|MDB_INCOMPATIBLE|MDB_BAD_TXN/;

/**
 * Address space reserved for the memory map. lmdb-js starts with a small map and, each time the file
 * outgrows it, maps the file again without unmapping the old map (readers may still point into
 * it): every page read through an old map counts in the process's RSS once more. Reserving a large
 * map up front keeps one map. It is address space only: the file grows with the data, not to this.
 */
const MAP_SIZE = 2 ** 36; // 64 GiB; lmdb-js still grows the map past this if a store ever needs it

export function openEnvironment(file: string, readOnly = false): RootDatabase {
  // overlappingSync off: a commit is fsynced before it becomes visible and before its promise
  // resolves, so nothing that readers or appenders see can be lost by a crash.
  return open({ path: file, overlappingSync: false, noSync: false, noMetaSync: false, cache: false, readOnly, mapSize: MAP_SIZE });
}

/**
 * What to do when the newest transaction's last page lies past the end of the file. That is not
 * always damage: LMDB does not write the pages a transaction allocated and freed again ("loose"
 * pages, common once events are removed) yet counts them in its last page number. Only reading
 * every page the tables refer to tells a short but whole file from a truncated one (a page past
 * the end crashes the reader with SIGBUS, which is why the probe does it in a child process).
 */
export type ShortFile = 'refuse' | 'read-everything' | 'accept';

/** Bytes up to the end of the newest transaction's last page. */
export function bytesNeeded(root: RootDatabase): number {
  const stats = root.getStats() as { pageSize: number; lastPageNumber: number };
  return (stats.lastPageNumber + 1) * stats.pageSize;
}

export function truncatedError(file: string, needed: number, fileSize: number): StoreDataDamagedError {
  return new StoreDataDamagedError(file, `the newest transaction ends at byte ${needed} but the file has only ${fileSize} bytes (truncated)`);
}

/** Checks the file size against the newest transaction, then the newest event against the indexes. */
export function checkEnvironment(file: string, root: RootDatabase, fileSize: number, shortFile: ShortFile = 'refuse'): Tables {
  const needed = bytesNeeded(root);
  const short = needed > fileSize;
  if (short && shortFile === 'refuse') throw truncatedError(file, needed, fileSize);
  const tables = openTables(root);
  try {
    checkTail(file, tables);
    if (short && shortFile === 'read-everything') readEverything(tables);
  } catch (error) {
    throw short ? truncatedError(file, needed, fileSize) : error;
  }
  return tables;
}

function readEverything(tables: Tables): void {
  for (const table of [tables.log, tables.streams, tables.streamIndex, tables.eventIds] as const) {
    for (const entry of (table as { getRange(options: object): Iterable<unknown> }).getRange({ snapshot: false })) void entry;
  }
}

function checkTail(file: string, tables: Tables): void {
  const position = lastPosition(tables);
  if (position === 0) return;
  const row = tables.log.get(position);
  if (!Array.isArray(row) || row.length !== 8 || typeof row[0] !== 'string' || typeof row[1] !== 'number') {
    throw new StoreDataDamagedError(file, `the log record at position ${position} does not decode`);
  }
  const [streamId, revision] = row;
  const head = tables.streams.get(streamId);
  if (head === undefined || head[0] < revision || tables.streamIndex.get([streamId, revision]) !== position) {
    throw new StoreDataDamagedError(file, `the log and the stream index disagree at position ${position}`);
  }
}

export function asDamage(file: string, error: unknown): unknown {
  if (error instanceof StoreDataDamagedError) return error;
  return damageCodes.test(messageOf(error)) ? new StoreDataDamagedError(file, messageOf(error)) : error;
}
