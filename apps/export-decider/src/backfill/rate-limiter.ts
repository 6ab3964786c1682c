/**
 * Paces the backfill to at most `perSecond` profiles a second, so the live lane keeps the store
 * and the CPU it needs. Time and waiting are parameters (tests, and no clock reads in the core).
 */
export interface RateLimiter {
  /** Resolves when the next profile may be taken. */
  take(): Promise<void>;
}

export function createRateLimiter(
  perSecond: number | ((nowMs: number) => number),
  now: () => number = () => performance.now(),
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
): RateLimiter {
  const rateAt = typeof perSecond === 'number' ? () => perSecond : perSecond;
  const first = rateAt(now());
  if (!(first > 0)) throw new RangeError(`backfill rate must be a positive number of profiles per second, not ${first}`);
  let next = now();
  return {
    async take() {
      const at = now();
      const interval = 1000 / rateAt(at);
      // An idle limiter does not bank more than a few slots: bursts stay short.
      next = Math.max(next, at - interval * 8);
      const wait = next - at;
      next += interval;
      if (wait > 1) await sleep(wait);
    },
  };
}
