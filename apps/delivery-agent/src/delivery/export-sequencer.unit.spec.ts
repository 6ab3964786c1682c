import { describe, expect, it } from 'vitest';
import { createDeliveredSequences, createExportSequencer, type Admission } from './export-sequencer.ts';

const exportOf = (sequence: number) => ({ exportId: `e${sequence}`, sequence });
const settled = async (admission: Promise<Admission>) => {
  const marker = Symbol('pending');
  return Promise.race([admission, new Promise<typeof marker>((resolve) => setTimeout(() => resolve(marker), 5))]).then((value) =>
    typeof value === 'symbol' ? 'pending' : value.kind === 'go' ? 'go' : `superseded by ${value.by.exportId}`,
  );
};

describe('export sequencer', () => {
  it('lets one export of a key run at a time, the next one after it leaves; other keys run side by side', async () => {
    const sequencer = createExportSequencer();
    const first = await sequencer.enter('k', exportOf(1));
    const second = sequencer.enter('k', exportOf(2));
    expect(await settled(Promise.resolve(first))).toBe('go');
    expect(await settled(sequencer.enter('other', exportOf(1)))).toBe('go');
    expect(await settled(second)).toBe('pending');
    if (first.kind !== 'go') throw new Error('expected go');
    sequencer.leave('k', first.turn);
    expect(await settled(second)).toBe('go');
  });

  it('supersedes the queued export by a newer one, and tells the running one', async () => {
    const sequencer = createExportSequencer();
    const running = await sequencer.enter('k', exportOf(1));
    const queued = sequencer.enter('k', exportOf(2));
    const newest = sequencer.enter('k', exportOf(3));
    expect(await settled(queued)).toBe('superseded by e3');
    if (running.kind !== 'go') throw new Error('expected go');
    expect(running.turn.superseded.aborted).toBe(true);
    expect(running.turn.supersededBy()).toEqual(exportOf(3));
    sequencer.leave('k', running.turn);
    expect(await settled(newest)).toBe('go');
    expect(sequencer.stats()).toEqual({ running: 1, queued: 0 });
  });

  it('supersedes at once an export older than the newest one of its key, or that same export again', async () => {
    const sequencer = createExportSequencer();
    await sequencer.enter('k', exportOf(5));
    expect(await settled(sequencer.enter('k', exportOf(3)))).toBe('superseded by e5');
    expect(await settled(sequencer.enter('k', exportOf(5)))).toBe('superseded by e5');
  });

  it('takes the same sequence under another export id (a backfill re-exporting that version with an added audience) as newer', async () => {
    const sequencer = createExportSequencer();
    const running = await sequencer.enter('k', exportOf(5));
    const queued = sequencer.enter('k', exportOf(4));
    const again = sequencer.enter('k', { exportId: 'backfill-5', sequence: 5 });
    expect(await settled(queued)).toBe('superseded by e5');
    if (running.kind !== 'go') throw new Error('expected go');
    expect(running.turn.supersededBy()).toEqual({ exportId: 'backfill-5', sequence: 5 });
    sequencer.leave('k', running.turn);
    expect(await settled(again)).toBe('go');
  });

  it('does not take a dead-letter replay of the same sequence under another export id as newer: its export came before', async () => {
    const sequencer = createExportSequencer();
    await sequencer.enter('k', { exportId: 'backfill-5', sequence: 5 });
    expect(await settled(sequencer.enter('k', { exportId: 'e5', sequence: 5, replay: true }))).toBe('superseded by backfill-5');
  });
});

describe('delivered sequences', () => {
  it('keeps the newest per key and forgets the least recently used beyond the bound', () => {
    const delivered = createDeliveredSequences(2);
    delivered.note('a', exportOf(3));
    delivered.note('a', exportOf(2));
    expect(delivered.get('a')).toEqual(exportOf(3));
    delivered.note('b', exportOf(1));
    delivered.get('a');
    delivered.note('c', exportOf(1));
    expect(delivered.get('b')).toBeUndefined();
    expect(delivered.get('a')).toEqual(exportOf(3));
  });
});
