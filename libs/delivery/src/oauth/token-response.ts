/** What the token server issued (RFC 6749 section 5.1). */
export interface IssuedToken {
  readonly accessToken: string;
  /** Present when the server issued one; renewals then use it instead of the configured grant. */
  readonly refreshToken?: string;
  /** `expires_in` in seconds, when the server gave a usable one. */
  readonly expiresInS?: number;
}

/** Why a token request gave no token; never carries a credential or the token URL's query. */
export type TokenProblem =
  | { readonly kind: 'unreachable'; readonly errorCode: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  /** A non-2xx answer; `oauthError` is the RFC 6749 section 5.2 `error` code when the body had one. */
  | { readonly kind: 'refused'; readonly status: number; readonly oauthError?: string }
  | { readonly kind: 'invalid-response'; readonly status: number; readonly detail: string };

export type TokenAnswer = { readonly ok: true; readonly token: IssuedToken } | { readonly ok: false; readonly problem: TokenProblem };

// RFC 6749 section 5.2: error codes are printable ASCII without `"` and `\`. Anything else (or
// anything long) is not repeated: a broken server might echo what we sent it.
const oauthErrorPattern = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
// The token goes into a header: visible ASCII only (RFC 6750 b64token is narrower still).
const headerSafeToken = /^[\x21-\x7E]+$/;

/** Reads the token server's answer; lenient where servers commonly differ (`expires_in` as a string, any `token_type`). */
export function parseTokenResponse(status: number, body: string): TokenAnswer {
  const json = parseJsonObject(body);
  if (status < 200 || status > 299) {
    const error = json?.['error'];
    return { ok: false, problem: { kind: 'refused', status, ...(typeof error === 'string' && oauthErrorPattern.test(error) ? { oauthError: error } : {}) } };
  }
  if (json === undefined) return invalid(status, 'with a body that is not a JSON object');
  const accessToken = json['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') return invalid(status, 'without an access_token');
  if (!headerSafeToken.test(accessToken)) return invalid(status, 'with an access_token that cannot be sent in an HTTP header');
  const refreshToken = json['refresh_token'];
  const expiresInS = parseExpiresIn(json['expires_in']);
  return {
    ok: true,
    token: {
      accessToken,
      ...(typeof refreshToken === 'string' && refreshToken !== '' ? { refreshToken } : {}),
      ...(expiresInS === undefined ? {} : { expiresInS }),
    },
  };
}

function parseExpiresIn(value: unknown): number | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function invalid(status: number, detail: string): TokenAnswer {
  return { ok: false, problem: { kind: 'invalid-response', status, detail } };
}

/** The one sentence an export's failure reason carries: the token server's host, never its query or a credential. */
export function describeTokenProblem(problem: TokenProblem): string {
  switch (problem.kind) {
    case 'unreachable':
      return problem.errorCode === 'ECONNREFUSED' ? 'it refused the connection' : `the request failed with ${problem.errorCode}`;
    case 'timeout':
      return `it did not answer within ${problem.timeoutMs} ms`;
    case 'refused':
      return `it answered HTTP ${problem.status}${problem.oauthError === undefined ? '' : ` ${problem.oauthError}`}`;
    case 'invalid-response':
      return `it answered HTTP ${problem.status} ${problem.detail}`;
    default:
      return assertNever(problem);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected token problem ${JSON.stringify(value)}`);
}
