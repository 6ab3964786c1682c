/** Wall-clock helpers on the monotonic clock (performance.now), never Date. */
export interface Stopwatch {
  elapsedMs(): number;
}

export function startStopwatch(): Stopwatch {
  const startedAt = performance.now();
  return { elapsedMs: () => performance.now() - startedAt };
}

/** Items per second over `elapsedMs`; 0 when nothing was timed. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? count / (elapsedMs / 1000) : 0;
}

/**
 * Epoch milliseconds with sub-millisecond precision, comparable across processes on the same
 * machine (each process's timeOrigin is read from the same wall clock when it starts).
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
