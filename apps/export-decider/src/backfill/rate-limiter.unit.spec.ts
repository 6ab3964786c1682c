import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

describe('the backfill rate limiter', () => {
  it('spaces profiles 1/rate apart once its small burst is used, on the clock it is given', async () => {
    let clock = 0;
    const waits: number[] = [];
    const limiter = createRateLimiter(100, () => clock, async (ms) => void (waits.push(ms), (clock += ms)));
    for (let i = 0; i < 20; i++) await limiter.take();
    expect(clock).toBeGreaterThanOrEqual(110); // 20 profiles at 100/s: at least (20 - 1 - 8 burst) x 10 ms
    expect(clock).toBeLessThanOrEqual(200);
    expect(waits.every((ms) => ms <= 10.0001)).toBe(true);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createRateLimiter(0)).toThrow(RangeError);
  });
});
