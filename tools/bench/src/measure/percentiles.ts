export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Nearest-rank percentile of an ascending array; `p` in [0, 100]. */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  const index = Math.min(sortedAscending.length - 1, Math.max(0, rank - 1));
  return sortedAscending[index]!;
}

/** Collects latencies in a growable Float64Array: 8 bytes a sample, no per-sample objects. */
export class LatencyRecorder {
  private samples = new Float64Array(4096);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.size).sort();
    let total = 0;
    for (const sample of sorted) total += sample;
    return {
      count: this.size,
      meanMs: this.size === 0 ? 0 : total / this.size,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
      maxMs: this.size === 0 ? 0 : sorted[this.size - 1]!,
    };
  }
}
