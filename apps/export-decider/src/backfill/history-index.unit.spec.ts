import { describe, expect, it } from 'vitest';
import { createHistoryIndex, takesProfileAt, worthIndexing } from './history-index.ts';

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

describe('whether a history is worth indexing', () => {
  it('is, until enough of the log was seen to tell; then while a profile has at most about seven events', () => {
    expect(worthIndexing(19_999, 1)).toBe(true);
    expect(worthIndexing(70_000, 10_000)).toBe(true);
    expect(worthIndexing(70_001, 10_000)).toBe(false);
  });
});

describe('the event a backfill takes a profile at', () => {
  const indexed = createHistoryIndex(upTo);
  indexed.note({ streamId: 'profile-a', revision: 2n, position: at(30) });
  const gaveUp = createHistoryIndex(upTo);
  gaveUp.giveUp();
  const takes = (history: typeof indexed, resuming: boolean) => [0n, 1n, 2n].filter((revision) => takesProfileAt({ streamId: 'profile-a', revision }, history, resuming));

  it('is its newest up to the end with an index, fresh or resumed', () => {
    expect([takes(indexed, false), takes(indexed, true)]).toEqual([[2n], [2n]]);
  });

  it('is its first without one, and every event of a resumed backfill (which may have used an index before)', () => {
    expect([takes(gaveUp, false), takes(gaveUp, true)]).toEqual([[0n], [0n, 1n, 2n]]);
  });
});
