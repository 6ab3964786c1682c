import { describe, expect, it } from 'vitest';
import { burstOf, fullBucket, takeToken, type RateLimit, type TokenBucket } from './token-bucket.ts';

/**
 * given requests asking at the times given (ms), queued in that order, when each retries after the
 * wait it is told (its timer firing `lateMs` late), then the times they go.
 */
function startTimes(limit: RateLimit, askedAt: readonly number[], lateMs = 0): number[] {
  let bucket: TokenBucket = fullBucket(limit, askedAt[0] ?? 0);
  let previous = -Infinity;
  return askedAt.map((asked) => {
    let now = Math.max(asked, previous);
    for (;;) {
      const result = takeToken(bucket, now, limit);
      bucket = result.bucket;
      if (result.taken) return (previous = now);
      now += result.waitMs + lateMs;
    }
  });
}

const busiestSecond = (starts: readonly number[]) => Math.max(...starts.map((start) => starts.filter((at) => at >= start && at < start + 1000).length));

describe('token bucket', () => {
  it('given 5 requests/s, when 4 ask at once, then they go 200 ms apart', () => {
    expect(startTimes({ requestsPerSecond: 5 }, [0, 0, 0, 0])).toEqual([0, 200, 400, 600]);
  });

  it('given 5 requests/s, when requests ask slower than that, then none waits', () => {
    expect(startTimes({ requestsPerSecond: 5 }, [0, 200, 450, 1000])).toEqual([0, 200, 450, 1000]);
  });

  it('given a quiet spell, then no more than the burst (a tenth of a second, at least 1) goes at once', () => {
    expect(burstOf({ requestsPerSecond: 5 })).toBe(1);
    expect(burstOf({ requestsPerSecond: 100 })).toBe(10);
    const starts = startTimes({ requestsPerSecond: 100 }, Array.from({ length: 12 }, () => 0));
    expect(starts.filter((at) => at === 0)).toHaveLength(10);
    expect(starts.slice(10)).toEqual([10, 20]);
  });

  it('given timers that fire late (a busy machine), then requests do not bunch up above the limit', () => {
    const limit = { requestsPerSecond: 5 };
    const starts = startTimes(limit, Array.from({ length: 30 }, () => 0), 170);
    expect(busiestSecond(starts)).toBeLessThanOrEqual(limit.requestsPerSecond + burstOf(limit) - 1);
  });

  it('given any pattern of requests, then no second holds more than the rate (plus the burst)', () => {
    const limit = { requestsPerSecond: 20 };
    const askedAt = Array.from({ length: 200 }, (_, index) => Math.floor(index * 7.3) % 3000).sort((a, b) => a - b);
    expect(busiestSecond(startTimes(limit, askedAt))).toBeLessThanOrEqual(limit.requestsPerSecond + burstOf(limit));
  });

  it('given fractional rates, then the spacing follows them (0.5 requests/s: 2 s apart)', () => {
    expect(startTimes({ requestsPerSecond: 0.5 }, [0, 0, 0])).toEqual([0, 2000, 4000]);
  });
});
