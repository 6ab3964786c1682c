/**
 * A destination's rate limit as a token bucket, pure: times are epoch milliseconds handed in.
 *
 * Each request reserves the next token, even one not there yet: the bucket then goes below zero
 * and the request waits until its token has been earned. Reservations are handed out in the
 * order they are asked for, so requests go in turn, `1 / requestsPerSecond` apart once the
 * burst is spent.
 */
export interface TokenBucket {
  readonly tokens: number;
  readonly at: number;
}

export interface RateLimit {
  readonly requestsPerSecond: number;
}

/** Requests that may go at once after a quiet spell: a tenth of a second's worth, at least 1. */
export function burstOf({ requestsPerSecond }: RateLimit): number {
  return Math.max(1, Math.floor(requestsPerSecond / 10));
}

export function fullBucket(limit: RateLimit, now: number): TokenBucket {
  return { tokens: burstOf(limit), at: now };
}

/** Takes one token: the new bucket, and how long the request must wait for it. */
export function reserveToken(bucket: TokenBucket, now: number, limit: RateLimit): { readonly bucket: TokenBucket; readonly waitMs: number } {
  const earned = (Math.max(0, now - bucket.at) * limit.requestsPerSecond) / 1000;
  const tokens = Math.min(burstOf(limit), bucket.tokens + earned) - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / limit.requestsPerSecond);
  return { bucket: { tokens, at: Math.max(now, bucket.at) }, waitMs };
}
