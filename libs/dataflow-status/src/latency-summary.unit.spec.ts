import { describe, expect, it } from 'vitest';
import { createLatencySummary } from './latency-summary.ts';

describe('latency summary', () => {
  it('given no values, then there is no percentile', () => {
    expect(createLatencySummary().percentile(0.5)).toBeUndefined();
  });

  it('given 1..100 ms, then p50 is 50 and p95 is 95 (nearest rank)', () => {
    const summary = createLatencySummary();
    for (let ms = 100; ms >= 1; ms--) summary.add(ms);
    expect(summary.count()).toBe(100);
    expect(summary.percentile(0.5)).toBe(50);
    expect(summary.percentile(0.95)).toBe(95);
    expect(summary.percentile(1)).toBe(100);
  });

  it('given values over a second, then they are kept to three significant digits', () => {
    const summary = createLatencySummary();
    summary.add(12_345);
    summary.add(1_234.4);
    expect(summary.percentile(0.5)).toBe(1_230);
    expect(summary.percentile(1)).toBe(12_300);
  });

  it('given a million values, then the median is the nearest rank', () => {
    const summary = createLatencySummary();
    for (let index = 0; index < 1_000_000; index++) summary.add(index % 2000);
    expect(summary.percentile(0.5)).toBe(999);
  });

  it('given a summary restored from another one\'s buckets, when more values come, then its percentiles are those of one summary of all values', () => {
    const first = createLatencySummary();
    const whole = createLatencySummary();
    for (const ms of [5, 5, 12_345, 900]) [first, whole].forEach((summary) => summary.add(ms));
    const restored = createLatencySummary(JSON.parse(JSON.stringify(first.buckets())));
    for (const ms of [1, 2_000, 5]) [restored, whole].forEach((summary) => summary.add(ms));
    expect(restored.buckets()).toEqual(whole.buckets());
    expect(restored.count()).toBe(7);
    expect([restored.percentile(0.5), restored.percentile(0.95)]).toEqual([whole.percentile(0.5), whole.percentile(0.95)]);
  });

  it('given values, then the buckets are listed smallest first', () => {
    const summary = createLatencySummary();
    for (const ms of [1_500, 3, 3, 0.4]) summary.add(ms);
    expect(summary.buckets()).toEqual([[0, 1], [3, 2], [1_500, 1]]);
  });
});
