import type { DeliveryOutcome } from './outcome.ts';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  /** Backoff ceiling of the first retry; doubles each retry. */
  readonly baseDelayMs: number;
  /** No backoff is longer than this. */
  readonly maxDelayMs: number;
  /** The longest `Retry-After` we wait; a longer request is shortened to this. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'delivered' | 'not-retryable' | 'attempts-exhausted' };

/**
 * After attempt number `attempt` (1 = the first) ended with `outcome`: stop, or wait and retry.
 * Backoff is exponential with full jitter (`random` in [0, 1)); a `Retry-After` from the endpoint
 * replaces it, capped, because retrying before the endpoint asked only earns another refusal.
 */
export function nextRetryDelay(attempt: number, outcome: DeliveryOutcome, policy: RetryPolicy, random: () => number): RetryDecision {
  if (outcome.kind === 'delivered') return { retry: false, reason: 'delivered' };
  if (!outcome.retryable) return { retry: false, reason: 'not-retryable' };
  if (attempt >= policy.attempts) return { retry: false, reason: 'attempts-exhausted' };
  if (outcome.failure === 'status' && outcome.retryAfterMs !== undefined) {
    return { retry: true, delayMs: Math.min(outcome.retryAfterMs, policy.maxRetryAfterMs) };
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.floor(random() * ceiling) };
}
