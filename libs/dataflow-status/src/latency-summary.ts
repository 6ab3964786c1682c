/**
 * Percentiles of many latencies in bounded memory: values are kept as counts per bucket, exact
 * to the millisecond below one second and to three significant digits above, so the summary of
 * millions of deliveries is a few thousand numbers at most.
 */
export interface LatencySummary {
  add(ms: number): void;
  readonly count: () => number;
  /** The smallest bucket value at or below which `fraction` of the values lie; undefined when empty. */
  percentile(fraction: number): number | undefined;
  /** Every bucket as `[ms, count]`, smallest first: what `createLatencySummary` restores from. */
  buckets(): LatencyBucket[];
}

export type LatencyBucket = [ms: number, count: number];

export function createLatencySummary(restored: readonly (readonly [ms: number, count: number])[] = []): LatencySummary {
  const buckets = new Map<number, number>();
  let count = 0;
  for (const [bucket, bucketCount] of restored) {
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + bucketCount);
    count += bucketCount;
  }
  return {
    add(ms) {
      const bucket = bucketOf(Math.max(0, ms));
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
      count++;
    },
    count: () => count,
    percentile(fraction) {
      if (count === 0) return undefined;
      const rank = Math.max(1, Math.ceil(fraction * count));
      let seen = 0;
      for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) {
        seen += buckets.get(bucket)!;
        if (seen >= rank) return bucket;
      }
      return undefined;
    },
    buckets: () => [...buckets.entries()].sort(([a], [b]) => a - b),
  };
}

function bucketOf(ms: number): number {
  if (ms < 1000) return Math.round(ms);
  const scale = 10 ** (Math.floor(Math.log10(ms)) - 2);
  return Math.round(ms / scale) * scale;
}
