import { describe, expect, it } from 'vitest';
import { createProgressTracker } from './progress-tracker.ts';

const at = (commit: number) => ({ commit: BigInt(commit), prepare: BigInt(commit) });

describe('the low watermark', () => {
  it('moves only past a done prefix: a finished later event waits for an unfinished earlier one', () => {
    const progress = createProgressTracker(at(1));
    const first = progress.begin(at(10));
    const second = progress.begin(at(20));
    const third = progress.begin(at(30));
    second();
    third();
    expect(progress.watermark()).toEqual(at(1));
    expect(progress.pending()).toBe(1);
    first();
    expect(progress.watermark()).toEqual(at(30));
    expect(progress.pending()).toBe(0);
  });

  it('reaches a marker once everything before it is done, at once when nothing is pending', () => {
    const progress = createProgressTracker(undefined);
    const reached: string[] = [];
    progress.mark(at(5), () => reached.push('idle'));
    expect(reached).toEqual(['idle']);
    expect(progress.watermark()).toEqual(at(5));
    const slow = progress.begin(at(10));
    progress.mark(at(15));
    progress.mark(at(18));
    progress.mark(undefined, () => reached.push('caught-up'));
    expect(reached).toEqual(['idle']);
    slow();
    expect(reached).toEqual(['idle', 'caught-up']);
    expect(progress.watermark()).toEqual(at(18));
  });

  it('stays as long as what is in flight, however many markers pass behind a slow event', () => {
    const progress = createProgressTracker(undefined);
    const slow = progress.begin(at(1));
    for (let index = 2; index < 100_000; index++) progress.mark(at(index));
    for (let index = 100_000; index < 102_000; index++) progress.begin(at(index))();
    slow();
    expect(progress.watermark()).toEqual(at(101_999));
  });

  it('ignores a second completion of the same work', () => {
    const progress = createProgressTracker(undefined);
    const done = progress.begin(at(1));
    done();
    done();
    expect(progress.pending()).toBe(0);
  });
});
