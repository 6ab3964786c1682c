import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from './outcome.ts';
import { nextRetryDelay, type RetryPolicy } from './retry-policy.ts';

const policy: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
const top = () => 0.999_999;
const bottom = () => 0;

const serverError: DeliveryOutcome = { kind: 'failed', failure: 'status', status: 503, retryable: true, durationMs: 1 };
const badRequest: DeliveryOutcome = { kind: 'failed', failure: 'status', status: 400, retryable: false, durationMs: 1 };
const timedOut: DeliveryOutcome = { kind: 'failed', failure: 'error', errorCode: 'ETIMEDOUT', message: 'timeout', retryable: true, durationMs: 2000 };
const delivered: DeliveryOutcome = { kind: 'delivered', status: 200, durationMs: 1 };
const tooMany = (retryAfterMs: number): DeliveryOutcome => ({ kind: 'failed', failure: 'status', status: 429, retryable: true, retryAfterMs, durationMs: 1 });

describe('nextRetryDelay', () => {
  it('given a delivered export, stops', () => {
    expect(nextRetryDelay(1, delivered, policy, top)).toEqual({ retry: false, reason: 'delivered' });
  });

  it('given a non-retryable failure, stops at once', () => {
    expect(nextRetryDelay(1, badRequest, policy, top)).toEqual({ retry: false, reason: 'not-retryable' });
  });

  it('given the last allowed attempt failed, stops', () => {
    expect(nextRetryDelay(3, serverError, policy, top)).toEqual({ retry: false, reason: 'attempts-exhausted' });
  });

  it('backs off exponentially: the ceiling doubles each attempt', () => {
    const big: RetryPolicy = { ...policy, attempts: 10 };
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelay(attempt, timedOut, big, top))).toEqual([
      { retry: true, delayMs: 99 },
      { retry: true, delayMs: 199 },
      { retry: true, delayMs: 399 },
      { retry: true, delayMs: 799 },
    ]);
  });

  it('never waits longer than maxDelayMs', () => {
    expect(nextRetryDelay(9, timedOut, { ...policy, attempts: 10 }, top)).toEqual({ retry: true, delayMs: 999 });
  });

  it('uses full jitter: anywhere from zero to the ceiling', () => {
    expect(nextRetryDelay(2, serverError, policy, bottom)).toEqual({ retry: true, delayMs: 0 });
    expect(nextRetryDelay(2, serverError, policy, () => 0.5)).toEqual({ retry: true, delayMs: 100 });
  });

  it('waits exactly what Retry-After asked, without jitter', () => {
    expect(nextRetryDelay(1, tooMany(3_000), policy, bottom)).toEqual({ retry: true, delayMs: 3_000 });
  });

  it('caps a long Retry-After at maxRetryAfterMs', () => {
    expect(nextRetryDelay(1, tooMany(3_600_000), policy, bottom)).toEqual({ retry: true, delayMs: 5_000 });
  });
});
