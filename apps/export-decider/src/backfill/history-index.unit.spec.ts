import { describe, expect, it } from 'vitest';
import { createHistoryIndex } from './history-index.ts';

const at = (commit: number) => ({ commit: BigInt(commit), prepare: BigInt(commit) });
const upTo = at(100);

describe('the history index of a backfill', () => {
  it('knows the newest revision of each profile up to the end, and which profiles changed after it', () => {
    const index = createHistoryIndex(upTo);
    index.note({ streamId: 'profile-a', revision: 0n, position: at(10) });
    index.note({ streamId: 'profile-b', revision: 0n, position: at(11) });
    index.note({ streamId: 'profile-a', revision: 1n, position: at(20) });
    index.note({ streamId: 'profile-a', revision: 2n, position: at(30) });
    index.note({ streamId: 'profile-b', revision: 1n, position: at(101) });
    index.note({ streamId: 'profile-c', revision: 0n, position: at(102) });
    expect(index.complete).toBe(true);
    expect([index.lastRevision('profile-a'), index.lastRevision('profile-b')]).toEqual([2n, 0n]);
    expect(['profile-a', 'profile-b', 'profile-c'].map((stream) => index.changedAfter(stream))).toEqual([false, true, false]);
  });

  it('gives up past its size, and then says every profile changed after the end', () => {
    const index = createHistoryIndex(upTo, 2);
    index.note({ streamId: 'profile-a', revision: 1n, position: at(10) });
    index.note({ streamId: 'profile-b', revision: 1n, position: at(11) });
    expect(index.complete).toBe(true);
    index.note({ streamId: 'profile-c', revision: 1n, position: at(101) });
    expect(index.complete).toBe(false);
    expect(index.changedAfter('profile-d')).toBe(true);
  });

  it('gives up on an event without a position', () => {
    const index = createHistoryIndex(upTo);
    index.note({ streamId: 'profile-a', revision: 1n, position: undefined });
    expect(index.complete).toBe(false);
  });
});
