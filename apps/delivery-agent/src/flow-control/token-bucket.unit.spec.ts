import { describe, expect, it } from 'vitest';
import { burstOf, fullBucket, reserveToken, type RateLimit, type TokenBucket } from './token-bucket.ts';

/** given a bucket, when requests ask at the times given (ms), then how long each waits. */
function waits(limit: RateLimit, askedAt: readonly number[]): number[] {
  let bucket: TokenBucket = fullBucket(limit, askedAt[0] ?? 0);
  return askedAt.map((now) => {
    const reserved = reserveToken(bucket, now, limit);
    bucket = reserved.bucket;
    return reserved.waitMs;
  });
}

describe('token bucket', () => {
  it('given 5 requests/s, when 4 ask at once, then they go 200 ms apart', () => {
    expect(waits({ requestsPerSecond: 5 }, [0, 0, 0, 0])).toEqual([0, 200, 400, 600]);
  });

  it('given 5 requests/s, when requests ask slower than that, then none waits', () => {
    expect(waits({ requestsPerSecond: 5 }, [0, 200, 450, 1000])).toEqual([0, 0, 0, 0]);
  });

  it('given a quiet spell, then no more than the burst (a tenth of a second, at least 1) goes at once', () => {
    expect(burstOf({ requestsPerSecond: 5 })).toBe(1);
    expect(burstOf({ requestsPerSecond: 100 })).toBe(10);
    const asked = waits({ requestsPerSecond: 100 }, Array.from({ length: 12 }, () => 0));
    expect(asked.filter((ms) => ms === 0)).toHaveLength(10);
    expect(asked.slice(10)).toEqual([10, 20]);
  });

  it('given any pattern of requests, then no window of a second holds more than rate + burst starts', () => {
    const limit = { requestsPerSecond: 20 };
    const askedAt = Array.from({ length: 200 }, (_, index) => Math.floor(index * 7.3) % 3000).sort((a, b) => a - b);
    const startedAt = waits(limit, askedAt).map((waitMs, index) => askedAt[index]! + waitMs);
    for (const start of startedAt) {
      const inWindow = startedAt.filter((other) => other >= start && other < start + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(limit.requestsPerSecond + burstOf(limit));
    }
  });

  it('given fractional rates, then the spacing follows them (0.5 requests/s: 2 s apart)', () => {
    expect(waits({ requestsPerSecond: 0.5 }, [0, 0, 0])).toEqual([0, 2000, 4000]);
  });
});
