import { open } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@spillway/runtime';
import { StoreDataDamagedError, messageOf } from './errors.ts';
import type { Tables } from './lmdb-tables.ts';
import { lastPosition, openTables } from './lmdb-tables.ts';

/** What to do with a data file that fails the checks on open. */
export type OnDamagedFile = 'refuse' | 'move-aside';

export const DATA_FILE_NAME = 'store.mdb';

/** LMDB reports these when a file is not a valid environment or a page cannot be trusted. */
const damageCodes = /MDB_INVALID|MDB_CORRUPTED|MDB_PAGE_NOTFOUND|MDB_VERSION_MISMATCH|MDB_BAD_DBI|MDB_INCOMPATIBLE/;

export async function openDataFile(dataDir: string, onDamaged: OnDamagedFile, logger: Logger): Promise<Tables> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DATA_FILE_NAME);
  if (!existsSync(file)) await createEmptyDataFile(file);
  try {
    return await openChecked(file);
  } catch (error) {
    if (!(error instanceof StoreDataDamagedError)) throw error;
    logger.error('store data file is damaged', { file, reason: error.reason });
    if (onDamaged === 'refuse') throw error;
    const movedTo = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    rmSync(`${file}-lock`, { force: true });
    logger.error('moved the damaged data file aside; starting with an empty store', { file, movedTo });
    await createEmptyDataFile(file);
    return openChecked(file);
  }
}

function openEnvironment(file: string): RootDatabase {
  // overlappingSync off: a commit is fsynced before it becomes visible and before its promise
  // resolves, so nothing that readers or appenders see can be lost by a crash.
  return open({ path: file, overlappingSync: false, noSync: false, noMetaSync: false, cache: false });
}

/**
 * A new store is built under a temporary name and renamed into place, so `store.mdb` is never a
 * half-initialised file: a short or empty `store.mdb` can only be damage, never a first start.
 */
async function createEmptyDataFile(file: string): Promise<void> {
  const staging = `${file}.new`;
  rmSync(staging, { force: true });
  rmSync(`${staging}-lock`, { force: true });
  const root = openEnvironment(staging);
  openTables(root);
  await root.close();
  renameSync(staging, file);
  rmSync(`${staging}-lock`, { force: true });
  const directory = openSync(join(file, '..'), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}

async function openChecked(file: string): Promise<Tables> {
  const size = statSync(file).size;
  if (size < 2 * 4096) throw new StoreDataDamagedError(file, `the file has ${size} bytes, too few for an LMDB environment`);
  let root: RootDatabase;
  try {
    root = openEnvironment(file);
  } catch (error) {
    throw asDamage(file, error);
  }
  try {
    const stats = root.getStats() as { pageSize: number; lastPageNumber: number };
    const needed = (stats.lastPageNumber + 1) * stats.pageSize;
    if (needed > size) {
      throw new StoreDataDamagedError(file, `the newest transaction ends at byte ${needed} but the file has only ${size} bytes (truncated)`);
    }
    const tables = openTables(root);
    checkTail(file, tables);
    return tables;
  } catch (error) {
    await root.close();
    throw asDamage(file, error);
  }
}

/** The newest event must decode and agree with its stream's head and index entry. */
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

function asDamage(file: string, error: unknown): unknown {
  if (error instanceof StoreDataDamagedError) return error;
  return damageCodes.test(messageOf(error)) ? new StoreDataDamagedError(file, messageOf(error)) : error;
}
