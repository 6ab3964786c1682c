import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A real, small file system (tmpfs) that tests can fill up: ENOSPC comes from the kernel, not from us. */
export interface SmallDisk {
  /** The mount point; put a store's data directory under it. */
  readonly path: string;
  /** Bytes still free on it. */
  freeBytes(): Promise<number>;
  /** Writes a filler file leaving about `leaveBytes` free, or until the disk is full (the disk an operator let fill up). */
  fillLeaving(leaveBytes: number): Promise<void>;
  /** Deletes the filler file: the space an operator frees. */
  freeSpace(): Promise<void>;
  /** Unmounts and removes the mount point (lazily if a process still holds a file there). */
  remove(): Promise<void>;
}

export type SmallDiskResult = { readonly mounted: true; readonly disk: SmallDisk } | { readonly mounted: false; readonly reason: string };

/**
 * Mounts a tmpfs of `sizeBytes` on a fresh directory. Needs root (or CAP_SYS_ADMIN) and a sandbox
 * that allows mounts; when it cannot, says why instead of throwing, so a test can report the skip.
 */
export async function mountSmallDisk(sizeBytes: number): Promise<SmallDiskResult> {
  const path = await mkdtemp(join(tmpdir(), 'spillway-small-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path]);
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    const reason = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    return { mounted: false, reason: `cannot mount a ${sizeBytes}-byte tmpfs (needs root and a sandbox that allows mount): ${reason}` };
  }
  const filler = join(path, 'filler');
  const freeBytes = async () => {
    const stats = await statfs(path);
    return stats.bavail * stats.bsize;
  };
  return {
    mounted: true,
    disk: {
      path,
      freeBytes,
      async fillLeaving(leaveBytes) {
        // In chunks, appended: the store may be writing too, so the disk can fill before the target (that is fine).
        const chunk = Buffer.alloc(256 * 1024);
        let toWrite = Math.max(0, (await freeBytes()) - leaveBytes);
        try {
          while (toWrite > 0) {
            const part = chunk.subarray(0, Math.min(chunk.length, toWrite));
            await appendFile(filler, part);
            toWrite -= part.length;
          }
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
      },
      freeSpace: () => rm(filler, { force: true }),
      async remove() {
        await run('umount', [path]).catch(() => run('umount', ['-l', path]));
        await rm(path, { recursive: true, force: true });
      },
    },
  };
}
