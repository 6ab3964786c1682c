import { describe, expect, it } from 'vitest';
import { endpointVerdictOf, failureSummaryOf, isRetryableErrorCode, isRetryableStatus, parseRetryAfter, type DeliveryOutcome, type FailedOutcome } from './outcome.ts';

describe('which failures retry (product.md section 9)', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('status %i retries', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([300, 301, 302, 400, 401, 403, 404, 409, 410, 413, 422])('status %i does not', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });

  it.each(['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN'])('error %s retries', (code) => {
    expect(isRetryableErrorCode(code)).toBe(true);
  });

  it.each(['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNKNOWN'])('error %s does not', (code) => {
    expect(isRetryableErrorCode(code)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
  });

  it('reads the obsolete HTTP-date forms a recipient must accept: RFC 850 and asctime (UTC)', () => {
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed Jan  1 00:00:30 2025', now)).toBe(30_000);
    expect(parseRetryAfter('Wed Jan 11 00:00:00 2025', now)).toBe(10 * 86_400_000);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', 'Wed, 99 Foo 2025'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('what an outcome tells the circuit breaker about the endpoint', () => {
  const status = (code: number): FailedOutcome => ({ kind: 'failed', failure: 'status', status: code, retryable: isRetryableStatus(code), durationMs: 5 });
  const error = (code: string): FailedOutcome => ({ kind: 'failed', failure: 'error', errorCode: code, message: 'm', retryable: isRetryableErrorCode(code), durationMs: 5 });
  const token: FailedOutcome = { kind: 'failed', failure: 'token', errorCode: 'OAUTH_TOKEN_UNREACHABLE', message: 'm', retryable: true, durationMs: 5 };
  const cases: [string, DeliveryOutcome, string][] = [
    ['delivered', { kind: 'delivered', status: 200, durationMs: 5 }, 'answered'],
    ['400: the endpoint is up', status(400), 'answered'],
    ['401 after a token renewal', status(401), 'answered'],
    ['503', status(503), 'failing'],
    ['429', status(429), 'failing'],
    ['408', status(408), 'failing'],
    ['refused', error('ECONNREFUSED'), 'failing'],
    ['timed out', error('ETIMEDOUT'), 'failing'],
    ['token server unreachable', token, 'failing'],
    ['a certificate error', error('DEPTH_ZERO_SELF_SIGNED_CERT'), 'inconclusive'],
  ];
  it.each(cases)('%s: %s', (_, outcome, verdict) => {
    expect(endpointVerdictOf(outcome)).toBe(verdict);
  });

  it('summarises a failure from codes only', () => {
    expect([status(503), error('ECONNREFUSED'), token].map(failureSummaryOf)).toEqual(['HTTP 503', 'no answer (ECONNREFUSED)', 'no OAuth token (OAUTH_TOKEN_UNREACHABLE)']);
  });
});
