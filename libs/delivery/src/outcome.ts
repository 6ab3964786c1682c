/** What happened to one delivery attempt. */
export type DeliveryOutcome = DeliveredOutcome | FailedOutcome;

export interface DeliveredOutcome {
  readonly kind: 'delivered';
  readonly status: number;
  readonly durationMs: number;
}

/** The endpoint answered, but not with 2xx. */
export interface RejectedByEndpoint {
  readonly kind: 'failed';
  readonly failure: 'status';
  readonly status: number;
  readonly retryable: boolean;
  /** From the `Retry-After` header (seconds or HTTP-date), when the endpoint sent one. */
  readonly retryAfterMs?: number;
  /** The endpoint answered 401, a new OAuth token was fetched, and this is the answer to the request sent again with it. */
  readonly tokenRenewed?: true;
  readonly durationMs: number;
}

/** No answer: timeout, refused or reset connection, TLS or DNS failure. */
export interface NoAnswer {
  readonly kind: 'failed';
  readonly failure: 'error';
  /** `ETIMEDOUT` for our own timeout; otherwise the Node/got error code. */
  readonly errorCode: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly durationMs: number;
}

/** No OAuth token could be had from the token server, so the endpoint was not contacted. Retried like a network failure. */
export interface NoToken {
  readonly kind: 'failed';
  readonly failure: 'token';
  /** `OAUTH_TOKEN_UNREACHABLE`, `OAUTH_TOKEN_TIMEOUT`, `OAUTH_TOKEN_REFUSED` or `OAUTH_TOKEN_INVALID_RESPONSE`. */
  readonly errorCode: string;
  /** Names the destination and the token server's host; never a credential. */
  readonly message: string;
  readonly retryable: boolean;
  readonly durationMs: number;
}

export type FailedOutcome = RejectedByEndpoint | NoAnswer | NoToken;

/**
 * product.md section 9: 408, 429 and 5xx retry; other 4xx do not. 3xx do not either: we do not
 * follow redirects (that would replay the body and credentials to another URL), so a redirect
 * means the endpoint is misconfigured.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Timeouts and connection-level failures that a later attempt may not meet. Certificate and
 * protocol errors are not here: they need a configuration change.
 */
const retryableErrorCodes = new Set([
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);

export function isRetryableErrorCode(code: string): boolean {
  return retryableErrorCodes.has(code);
}

/**
 * `Retry-After` as a delay in milliseconds: delta-seconds or an HTTP-date (relative to `nowMs`,
 * never negative). Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = httpDateMs(trimmed);
  if (at === undefined || Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

// The HTTP-date forms a recipient must accept (RFC 9110 section 5.6.7): IMF-fixdate
// `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and
// asctime `Sun Nov  6 08:49:37 1994` (UTC, though it does not say so). Each starts with a weekday,
// which also turns away bare numbers with signs or decimals.
const withWeekdayAndZone = /^[A-Za-z]{3,9}, /;
const asctimeDate = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

function httpDateMs(text: string): number | undefined {
  if (withWeekdayAndZone.test(text)) return Date.parse(text);
  if (asctimeDate.test(text)) return Date.parse(`${text} GMT`);
  return undefined;
}

/**
 * What an outcome tells about the endpoint, for its circuit breaker: it `answered` (delivered, or
 * an answer no retry would change, such as 400: the endpoint is up), it is `failing` (a failure a
 * retry may cure: 5xx, 408, 429, timeouts, connection errors, an unreachable token server), or it
 * is `inconclusive` (a failure such as a certificate error, which needs a configuration change).
 */
export type EndpointVerdict = 'answered' | 'failing' | 'inconclusive';

export function endpointVerdictOf(outcome: DeliveryOutcome): EndpointVerdict {
  if (outcome.kind === 'delivered') return 'answered';
  if (outcome.retryable) return 'failing';
  return outcome.failure === 'status' ? 'answered' : 'inconclusive';
}

/** The failure as a sentence of codes only: never a URL, header or body. */
export function failureSummaryOf(outcome: FailedOutcome): string {
  switch (outcome.failure) {
    case 'status':
      return `HTTP ${outcome.status}`;
    case 'error':
      return `no answer (${outcome.errorCode})`;
    case 'token':
      return `no OAuth token (${outcome.errorCode})`;
    default:
      return assertNever(outcome);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
