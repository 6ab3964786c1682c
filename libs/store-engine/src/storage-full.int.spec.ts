import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { commitCauseOf, isStorageFull } from './storage-full.ts';

const coded = (code: string | number, message = 'failed') => Object.assign(new Error(message), { code });

describe('telling a full disk from other failed commits', () => {
  it('given ENOSPC or MDB_MAP_FULL, then it is a full disk whatever the free space', async () => {
    expect(await isStorageFull(coded('ENOSPC'), tmpdir())).toBe(true);
    expect(await isStorageFull(coded(28), tmpdir())).toBe(true);
    expect(await isStorageFull(coded(-30_792), tmpdir())).toBe(true);
    expect(await isStorageFull(new Error('MDB_MAP_FULL: Environment mapsize limit reached'), tmpdir())).toBe(true);
  });

  it('given EIO on a disk with room (this machine temp dir), then it is not a full disk: the store stops writing as for any I/O error', async () => {
    expect(await isStorageFull(coded(5, 'Input/output error'), tmpdir())).toBe(false);
    expect(await isStorageFull(coded('EACCES'), tmpdir())).toBe(false);
  });

  it("given lmdb-js's commit error, then the cause is the one its commitError promise rejects with (and that rejection is handled)", async () => {
    const cause = coded(28, 'No space left on device');
    const commitError = Promise.reject(cause);
    const error = Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
    expect(await commitCauseOf(error)).toBe(cause);
    const plain = new Error('plain');
    expect(await commitCauseOf(plain)).toBe(plain);
  });
});
