/**
 * A destination's rate limit as a token bucket, pure: times are epoch milliseconds handed in.
 *
 * Tokens are earned at `requestsPerSecond` up to the burst; a request takes one when it actually
 * goes. Nothing is reserved ahead: a request whose timer fired late on a busy machine finds only
 * the tokens earned by then, so requests never bunch up above the limit (they may fall below it).
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

export type TokenTaken = { readonly taken: true; readonly bucket: TokenBucket } | { readonly taken: false; readonly bucket: TokenBucket; readonly waitMs: number };

/** Takes a token if one has been earned by `now`; otherwise says how long until one is. */
export function takeToken(bucket: TokenBucket, now: number, limit: RateLimit): TokenTaken {
  const earned = (Math.max(0, now - bucket.at) * limit.requestsPerSecond) / 1000;
  const tokens = Math.min(burstOf(limit), bucket.tokens + earned);
  const refilled = { tokens, at: Math.max(now, bucket.at) };
  if (tokens >= 1) return { taken: true, bucket: { ...refilled, tokens: tokens - 1 } };
  return { taken: false, bucket: refilled, waitMs: Math.max(1, Math.ceil(((1 - tokens) * 1000) / limit.requestsPerSecond)) };
}
