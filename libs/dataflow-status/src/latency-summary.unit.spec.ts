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
});
