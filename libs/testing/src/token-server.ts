import { startHttpReceiver, type ReceivedRequest, type ReceiverAnswer, type Responder } from './http-receiver.ts';

/** One token request as the token server saw it. */
export interface TokenServerRequest {
  readonly method: string;
  /** Path and raw query string, as sent. */
  readonly url: string;
  readonly query: ReceivedRequest['query'];
  readonly headers: ReceivedRequest['headers'];
  readonly contentType: string | undefined;
  readonly rawBody: string;
  /** The form body, parsed (`application/x-www-form-urlencoded`). */
  readonly form: Readonly<Record<string, string>>;
  /** `Authorization: Basic` decoded, each part form-decoded (RFC 6749 section 2.3.1). */
  readonly basic?: { readonly clientId: string; readonly clientSecret: string };
  readonly receivedAt: number;
}

/**
 * How the server answers: `ok` issues tokens; the others are the failures a delivery agent must
 * survive (400 invalid_client, a 200 without access_token, a 200 that is not JSON, 503, a dropped
 * connection).
 */
export type TokenServerMode = 'ok' | 'invalid_client' | 'no_access_token' | 'not_json' | 'server_error' | 'drop';

export interface TokenServerSettings {
  /** `expires_in` of issued tokens in seconds; null leaves it out. @defaultValue 3600 */
  readonly expiresIn: number | null;
  /** Issue a refresh token with each access token (a new one on every refresh). @defaultValue false */
  readonly refreshTokens: boolean;
  /** Answer this much later. @defaultValue 0 */
  readonly delayMs: number;
  /** @defaultValue 'ok' */
  readonly mode: TokenServerMode;
  /** When set, the client id and secret (body or Basic) must match: otherwise 400 invalid_client. */
  readonly clients?: Readonly<Record<string, string>>;
  /** When set, the password grant's username and password must match: otherwise 400 invalid_grant. */
  readonly users?: Readonly<Record<string, string>>;
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>/token`; add a query string as you like, the server answers on any path. */
  readonly tokenUrl: string;
  readonly port: number;
  /** Every token request, in arrival order. */
  readonly requests: readonly TokenServerRequest[];
  /** Access tokens issued, in order. */
  readonly issued: readonly string[];
  /** Issued by this server, not revoked, and not past its `expires_in`. */
  isValid(accessToken: string): boolean;
  /** A receiver responder: 401 unless the request carries `Bearer <a valid token>`, else `respond` (200 by default). */
  protect(respond?: Responder): Responder;
  set(settings: Partial<TokenServerSettings>): void;
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<TokenServerRequest[]>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

type Answer = Exclude<ReceiverAnswer, 'drop'>;

const defaults: TokenServerSettings = { expiresIn: 3600, refreshTokens: false, delayMs: 0, mode: 'ok' };

/** A small, real OAuth 2.0 token server on 127.0.0.1 (client credentials, password and refresh token grants). */
export async function startTokenServer(settings: Partial<TokenServerSettings> = {}): Promise<TokenServer> {
  let current: TokenServerSettings = { ...defaults, ...settings };
  const requests: TokenServerRequest[] = [];
  const issued: string[] = [];
  const accessTokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  const refreshTokens = new Map<string, { revoked: boolean }>();
  let tag = '';

  const issue = (): Answer => {
    const n = issued.length + 1;
    const accessToken = `access-${tag}-${n}`;
    issued.push(accessToken);
    accessTokens.set(accessToken, { expiresAt: current.expiresIn === null ? Infinity : Date.now() + current.expiresIn * 1000, revoked: false });
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer' };
    if (current.expiresIn !== null) body['expires_in'] = current.expiresIn;
    if (current.refreshTokens) {
      const refreshToken = `refresh-${tag}-${n}`;
      refreshTokens.set(refreshToken, { revoked: false });
      body['refresh_token'] = refreshToken;
    }
    return answer(200, body);
  };

  const clientAccepted = (request: TokenServerRequest): boolean => {
    if (!current.clients) return true;
    const clientId = request.basic?.clientId ?? request.form['client_id'] ?? '';
    return Object.hasOwn(current.clients, clientId) && current.clients[clientId] === (request.basic?.clientSecret ?? request.form['client_secret']);
  };
  const userAccepted = ({ form }: TokenServerRequest): boolean =>
    !current.users || (Object.hasOwn(current.users, form['username'] ?? '') && current.users[form['username'] ?? ''] === form['password']);
  const refreshAccepted = ({ form }: TokenServerRequest): boolean => refreshTokens.get(form['refresh_token'] ?? '')?.revoked === false;

  const grant = (request: TokenServerRequest): Answer => {
    if (!clientAccepted(request)) return oauthError(400, 'invalid_client');
    switch (request.form['grant_type']) {
      case 'client_credentials':
        return issue();
      case 'password':
        return userAccepted(request) ? issue() : oauthError(400, 'invalid_grant');
      case 'refresh_token':
        return refreshAccepted(request) ? issue() : oauthError(400, 'invalid_grant');
      default:
        return oauthError(400, 'unsupported_grant_type');
    }
  };

  const respond = (received: ReceivedRequest): ReceiverAnswer => {
    const request = tokenRequestOf(received);
    requests.push(request);
    if (current.mode === 'drop') return 'drop';
    const base = current.mode === 'ok' ? grant(request) : failure(current.mode);
    return current.delayMs > 0 ? { ...base, delayMs: current.delayMs } : base;
  };

  const receiver = await startHttpReceiver({ respond });
  tag = String(receiver.port);

  const isValid = (accessToken: string) => {
    const token = accessTokens.get(accessToken);
    return token !== undefined && !token.revoked && Date.now() < token.expiresAt;
  };

  return {
    tokenUrl: `${receiver.url}/token`,
    port: receiver.port,
    requests,
    issued,
    isValid,
    protect: (inner = () => ({ status: 200 })) => (request) => {
      const authorization = request.headers.authorization ?? '';
      const valid = authorization.startsWith('Bearer ') && isValid(authorization.slice('Bearer '.length));
      return valid ? inner(request) : { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
    },
    set: (next) => {
      current = { ...current, ...next };
    },
    revokeAccessTokens: () => {
      for (const token of accessTokens.values()) token.revoked = true;
    },
    revokeRefreshTokens: () => {
      for (const token of refreshTokens.values()) token.revoked = true;
    },
    waitForRequests: async (count, timeoutMs) => {
      await receiver.waitForRequests(count, timeoutMs);
      return requests.slice(0, count);
    },
    close: () => receiver.close(),
    [Symbol.asyncDispose]: () => receiver.close(),
  };
}

function tokenRequestOf(received: ReceivedRequest): TokenServerRequest {
  const basic = decodeBasic(received.headers.authorization);
  return {
    method: received.method,
    url: received.url,
    query: received.query,
    headers: received.headers,
    contentType: received.headers['content-type'],
    rawBody: received.rawBody,
    form: Object.fromEntries(new URLSearchParams(received.rawBody)),
    ...(basic ? { basic } : {}),
    receivedAt: received.receivedAt,
  };
}

function decodeBasic(header: string | undefined): TokenServerRequest['basic'] {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

function answer(status: number, body: unknown): Answer {
  return { status, headers: { 'cache-control': 'no-store' }, body };
}

function oauthError(status: number, error: string): Answer {
  return answer(status, { error, error_description: `token request refused: ${error}` });
}

function failure(mode: Exclude<TokenServerMode, 'ok' | 'drop'>): Answer {
  switch (mode) {
    case 'invalid_client':
      return oauthError(400, 'invalid_client');
    case 'no_access_token':
      return answer(200, { token_type: 'Bearer', expires_in: 3600 });
    case 'not_json':
      return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Sign in</body></html>' };
    case 'server_error':
      return { status: 503, body: 'unavailable' };
    default:
      return assertNever(mode);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected token server mode ${JSON.stringify(value)}`);
}
