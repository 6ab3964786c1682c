import type { Logger } from '@spillway/runtime';
import type { HttpClient } from '../http-client.ts';
import type { OAuthDeliveryAuth } from '../target.ts';
import { requestToken } from './request-token.ts';
import { TokenRequestError } from './token-error.ts';
import { tokenTimes } from './token-lifetime.ts';
import { buildTokenRequest, type TokenGrant } from './token-request.ts';
import type { TokenAnswer } from './token-response.ts';

/** The OAuth tokens of one destination. */
export interface TokenManager {
  /**
   * A token to send: the cached one, or a new one fetched by a single request however many
   * callers wait for it. Rejects with TokenRequestError (or the signal's reason on abort).
   */
  token(signal?: AbortSignal): Promise<string>;
  /** The endpoint refused `accessToken` (401): the next caller gets a new one, unless it was already replaced. */
  invalidate(accessToken: string): void;
  /** Token requests sent so far. */
  requests(): number;
}

export interface TokenManagerOptions {
  readonly auth: OAuthDeliveryAuth;
  /** Named in errors and logs. */
  readonly destinationId: string;
  /** The destination's own client, so token requests leave from the same egress settings. */
  readonly httpClient: HttpClient;
  /** Budget of one token request. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** Lifetime assumed when the server sends no `expires_in`. */
  readonly defaultLifetimeS?: number;
}

interface CachedToken {
  readonly accessToken: string;
  readonly renewAtMs: number;
  readonly expiresAtMs: number;
}

/** After a failed background renewal, the still-valid token is used this long before trying again. */
const backgroundRetryMs = 1_000;

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { auth, destinationId, logger } = options;
  const now = options.now ?? Date.now;
  const tokenHost = new URL(auth.tokenUrl).host;
  const context = { destinationId, tokenHost };
  let current: CachedToken | undefined;
  let refreshToken: string | undefined;
  let inFlight: Promise<CachedToken> | undefined;
  let backgroundPausedUntil = 0;
  let requests = 0;

  const send = (grant: TokenGrant): Promise<TokenAnswer> => {
    requests++;
    return requestToken(options.httpClient, buildTokenRequest(auth, grant), options.timeoutMs);
  };

  const fetchToken = async (): Promise<CachedToken> => {
    const requestedAtMs = now();
    let grant: TokenGrant['kind'] = refreshToken === undefined ? 'configured' : 'refresh';
    let answer = await send(refreshToken === undefined ? { kind: 'configured' } : { kind: 'refresh', refreshToken });
    if (grant === 'refresh' && !answer.ok && answer.problem.kind === 'refused' && answer.problem.status >= 400 && answer.problem.status < 500) {
      // Expired or revoked (`invalid_grant`): the configured grant still works.
      logger.info('OAuth refresh token refused, requesting a token with the configured grant', { ...context, status: answer.problem.status, oauthError: answer.problem.oauthError ?? null });
      refreshToken = undefined;
      grant = 'configured';
      answer = await send({ kind: 'configured' });
    }
    if (!answer.ok) {
      const error = new TokenRequestError(destinationId, auth.tokenUrl, answer.problem);
      logger.warn('OAuth token request failed', { ...context, grant, errorCode: error.code, reason: error.message });
      throw error;
    }
    const issued = answer.token;
    // A refresh answer without a new refresh token leaves the old one usable (RFC 6749 section 6).
    if (issued.refreshToken !== undefined) refreshToken = issued.refreshToken;
    const token = { accessToken: issued.accessToken, ...tokenTimes(requestedAtMs, issued.expiresInS, options.defaultLifetimeS) };
    current = token;
    logger.debug('OAuth token issued', { ...context, grant, expiresInS: issued.expiresInS ?? null, refreshable: refreshToken !== undefined });
    return token;
  };

  const renew = (): Promise<CachedToken> => {
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    async token(signal) {
      const at = now();
      if (current !== undefined && at < current.renewAtMs) return current.accessToken;
      if (current !== undefined && at < current.expiresAtMs) {
        // Still valid: keep sending it while a new one is fetched, so no export waits.
        if (at >= backgroundPausedUntil) {
          renew().catch(() => {
            backgroundPausedUntil = now() + backgroundRetryMs;
          });
        }
        return current.accessToken;
      }
      current = undefined;
      return (await untilAborted(renew(), signal)).accessToken;
    },
    invalidate(accessToken) {
      if (current?.accessToken === accessToken) current = undefined;
    },
    requests: () => requests,
  };
}

/** Waits for a shared promise, but lets one caller stop waiting without cancelling it for the others. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
