import { statfs } from 'node:fs/promises';

// LMDB's MDB_MAP_FULL: the map size is reached (lmdb-js normally grows the map, but may not).
const MDB_MAP_FULL = -30_792;
const ENOSPC = 28;
const EIO = 5;
/** Below this much free space, an I/O error of a commit is taken for a full disk. */
const nearlyFullBytes = 64 * 1024 * 1024;

interface CodedError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly commitError?: unknown;
}

/**
 * lmdb-js rejects a failed commit with a generic error whose `commitError` is a promise that
 * rejects, a moment later, with the cause. That promise must always be handled (unhandled, it
 * would end the process), so this awaits it whatever happens next.
 */
export async function commitCauseOf(error: unknown): Promise<unknown> {
  const pending = (error as CodedError | null)?.commitError;
  if (!(pending instanceof Promise)) return error;
  try {
    await pending;
    return error;
  } catch (cause) {
    return cause;
  }
}

/**
 * Whether a failed commit means "no space": ENOSPC, MDB_MAP_FULL, or EIO while the disk is (nearly)
 * full: LMDB reports a short write, which is how a full disk shows when part of a page fits, as EIO.
 */
export async function isStorageFull(cause: unknown, dataDir: string): Promise<boolean> {
  const { code, errno } = (typeof cause === 'object' && cause !== null ? cause : {}) as CodedError;
  const codes = new Set([code, errno]);
  if (codes.has(ENOSPC) || codes.has('ENOSPC') || codes.has(MDB_MAP_FULL) || /MDB_MAP_FULL|no space left/i.test(String((cause as Error | null)?.message))) return true;
  if (!codes.has(EIO) && !codes.has('EIO')) return false;
  return (await freeBytes(dataDir)) < nearlyFullBytes;
}

async function freeBytes(dataDir: string): Promise<number> {
  try {
    const stats = await statfs(dataDir);
    return stats.bavail * stats.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
