import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@spillway/runtime';
import { StoreDataDamagedError } from './errors.ts';
import { asDamage, checkEnvironment, openEnvironment, truncatedError } from './lmdb-file-checks.ts';
import type { ProbeReport, ProbeSize } from './lmdb-probe.ts';
import type { Tables } from './lmdb-tables.ts';
import { openTables } from './lmdb-tables.ts';

/** What to do with a data file that fails the checks on open. */
export type OnDamagedFile = 'refuse' | 'move-aside';

export const DATA_FILE_NAME = 'store.mdb';

// The probe sits beside this module, as .ts when run from source and .js once built.
const probeScript = fileURLToPath(new URL(`./lmdb-probe${import.meta.url.endsWith('.js') ? '.js' : '.ts'}`, import.meta.url));

export async function openDataFile(dataDir: string, onDamaged: OnDamagedFile, logger: Logger): Promise<Tables> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DATA_FILE_NAME);
  const isNew = !existsSync(file);
  if (isNew) await createEmptyDataFile(file);
  try {
    return await openChecked(file, !isNew);
  } catch (error) {
    if (!(error instanceof StoreDataDamagedError)) throw error;
    logger.error('store data file is damaged', { file, reason: error.reason });
    if (onDamaged === 'refuse') throw error;
    const movedTo = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    rmSync(`${file}-lock`, { force: true });
    logger.error('moved the damaged data file aside; starting with an empty store', { file, movedTo });
    await createEmptyDataFile(file);
    return openChecked(file, false);
  }
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
  const directory = openSync(dirname(file), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}

/** A file this process has just created needs no probe; a short file the probe read whole is accepted. */
async function openChecked(file: string, probeFirst: boolean): Promise<Tables> {
  const size = statSync(file).size;
  if (size < 2 * 4096) throw new StoreDataDamagedError(file, `the file has ${size} bytes, too few for an LMDB environment`);
  if (probeFirst) await probe(file, size);
  const root = openEnvironment(file);
  try {
    return checkEnvironment(file, root, size, probeFirst ? 'accept' : 'refuse');
  } catch (error) {
    await root.close();
    throw asDamage(file, error);
  }
}

/** Opens and checks the file in a child process first, so that a file that crashes LMDB cannot crash the store. */
async function probe(file: string, size: number): Promise<void> {
  const child = spawn(process.execPath, [probeScript, file, String(size)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (signal !== null) {
    const needed = parseLine<ProbeSize>(stdout, 0)?.needed ?? 0;
    throw needed > size ? truncatedError(file, needed, size) : new StoreDataDamagedError(file, `opening it made LMDB crash (${signal})`);
  }
  const report = parseLine<ProbeReport>(stdout, -1);
  if (report?.ok) return;
  if (report?.damaged) throw new StoreDataDamagedError(file, report.reason);
  throw new Error(`could not check the store data file ${file}: ${report?.reason ?? `probe exited with ${code}: ${stderr.trim()}`}`);
}

function parseLine<T>(stdout: string, index: number): T | undefined {
  try {
    return JSON.parse(stdout.trim().split('\n').at(index) ?? '') as T;
  } catch {
    return undefined;
  }
}
