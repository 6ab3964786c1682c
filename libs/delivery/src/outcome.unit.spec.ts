import { describe, expect, it } from 'vitest';
import { isRetryableErrorCode, isRetryableStatus, parseRetryAfter } from './outcome.ts';

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

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', 'Wed, 99 Foo 2025'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
