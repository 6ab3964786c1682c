import { describe, expect, it } from 'vitest';
import { describeTokenProblem, parseTokenResponse } from './token-response.ts';

describe('parseTokenResponse', () => {
  it('takes the access token, refresh token and lifetime', () => {
    expect(parseTokenResponse(200, JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt' }))).toEqual({
      ok: true,
      token: { accessToken: 'at', refreshToken: 'rt', expiresInS: 3600 },
    });
  });

  it('accepts expires_in as a string and ignores an unusable one', () => {
    expect(parseTokenResponse(200, '{"access_token":"at","expires_in":"120"}')).toEqual({ ok: true, token: { accessToken: 'at', expiresInS: 120 } });
    expect(parseTokenResponse(200, '{"access_token":"at","expires_in":0}')).toEqual({ ok: true, token: { accessToken: 'at' } });
    expect(parseTokenResponse(200, '{"access_token":"at","expires_in":"soon"}')).toEqual({ ok: true, token: { accessToken: 'at' } });
  });

  it.each([
    ['{"token_type":"Bearer","expires_in":3600}', 'without an access_token'],
    ['{"access_token":""}', 'without an access_token'],
    ['<html>Sign in</html>', 'with a body that is not a JSON object'],
    ['["at"]', 'with a body that is not a JSON object'],
    ['{"access_token":"a\\r\\nX-Evil: 1"}', 'with an access_token that cannot be sent in an HTTP header'],
  ])('refuses a 200 whose body is %s', (body, detail) => {
    expect(parseTokenResponse(200, body)).toEqual({ ok: false, problem: { kind: 'invalid-response', status: 200, detail } });
  });

  it('keeps the OAuth error code of a refusal, but not an odd one', () => {
    expect(parseTokenResponse(400, '{"error":"invalid_client","error_description":"bad secret"}')).toEqual({ ok: false, problem: { kind: 'refused', status: 400, oauthError: 'invalid_client' } });
    expect(parseTokenResponse(400, `{"error":"${'x'.repeat(100)}"}`)).toEqual({ ok: false, problem: { kind: 'refused', status: 400 } });
    expect(parseTokenResponse(503, 'unavailable')).toEqual({ ok: false, problem: { kind: 'refused', status: 503 } });
  });
});

describe('describeTokenProblem', () => {
  it('says what the token server did in words', () => {
    expect(describeTokenProblem({ kind: 'unreachable', errorCode: 'ECONNREFUSED' })).toBe('it refused the connection');
    expect(describeTokenProblem({ kind: 'unreachable', errorCode: 'ECONNRESET' })).toBe('the request failed with ECONNRESET');
    expect(describeTokenProblem({ kind: 'timeout', timeoutMs: 500 })).toBe('it did not answer within 500 ms');
    expect(describeTokenProblem({ kind: 'refused', status: 400, oauthError: 'invalid_client' })).toBe('it answered HTTP 400 invalid_client');
    expect(describeTokenProblem({ kind: 'invalid-response', status: 200, detail: 'without an access_token' })).toBe('it answered HTTP 200 without an access_token');
  });
});
