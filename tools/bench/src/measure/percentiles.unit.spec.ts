import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentile } from './percentiles.ts';

describe('percentile (nearest rank)', () => {
  it('picks the sample at the rank, never between samples', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('LatencyRecorder', () => {
  it('summarises more samples than its first buffer holds, in any order', () => {
    const recorder = new LatencyRecorder();
    for (let sample = 10_000; sample >= 1; sample--) recorder.record(sample);
    expect(recorder.summary()).toEqual({ count: 10_000, meanMs: 5_000.5, p50Ms: 5_000, p95Ms: 9_500, p99Ms: 9_900, maxMs: 10_000 });
  });
});
