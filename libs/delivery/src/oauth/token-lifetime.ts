/** When a cached token is renewed, and when it can no longer be used at all. */
export interface TokenTimes {
  /** From here on the token is renewed: in the background while it is still valid. */
  readonly renewAtMs: number;
  /** From here on the token is not sent any more; callers wait for a new one. */
  readonly expiresAtMs: number;
}

/** Lifetime assumed when the server gives no usable `expires_in` (a 401 renews sooner if it was shorter). */
export const defaultTokenLifetimeS = 300;
const minimumMarginMs = 30_000;
const marginFraction = 0.1;

/**
 * Renew when less than 30 s or 10% of the lifetime remains, whichever is more, but never in the
 * first half of the lifetime (so a 2 s token is still reused for 1 s). Times run from when the
 * request was sent, which errs on the early side.
 */
export function tokenTimes(requestedAtMs: number, expiresInS: number | undefined, defaultLifetimeS = defaultTokenLifetimeS): TokenTimes {
  const lifetimeMs = (expiresInS ?? defaultLifetimeS) * 1000;
  const marginMs = Math.min(Math.max(minimumMarginMs, lifetimeMs * marginFraction), lifetimeMs / 2);
  const expiresAtMs = requestedAtMs + lifetimeMs;
  return { renewAtMs: expiresAtMs - marginMs, expiresAtMs };
}
