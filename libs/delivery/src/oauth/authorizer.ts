import type { Logger } from '@spillway/runtime';
import type { HttpClient } from '../http-client.ts';
import type { DeliveryTarget } from '../target.ts';
import { createTokenManager, type TokenManager } from './token-manager.ts';

/** Supplies the `Authorization` header of a destination's exports. */
export interface Authorizer {
  /** The header value for the next request, undefined for none. Rejects with TokenRequestError when no token can be had. */
  authorization(signal?: AbortSignal): Promise<string | undefined>;
  /**
   * The endpoint answered 401 to `authorization`. True when a new credential may be fetched and the
   * request sent once more (OAuth); false when nothing would change (none, a fixed bearer token).
   */
  rejected(authorization: string): boolean;
  /** Token requests sent so far (0 for fixed credentials). */
  tokenRequests(): number;
}

export interface AuthorizerOptions {
  readonly destinationId: string;
  /** The destination's client: token requests go through it too. */
  readonly httpClient: HttpClient;
  readonly logger: Logger;
  /** Budget of one token request. @defaultValue the target's `timeoutMs` */
  readonly tokenTimeoutMs?: number;
  readonly now?: () => number;
}

/** One per destination: the OAuth kinds cache their token here, so it must live as long as the destination. */
export function createAuthorizer(target: DeliveryTarget, options: AuthorizerOptions): Authorizer {
  const auth = target.auth;
  switch (auth.type) {
    case 'none':
      return fixed(undefined);
    case 'bearer':
      return fixed(`Bearer ${auth.token}`);
    case 'oauth2-client-credentials':
    case 'oauth2-password':
      return oauth(
        createTokenManager({
          auth,
          destinationId: options.destinationId,
          httpClient: options.httpClient,
          timeoutMs: options.tokenTimeoutMs ?? target.timeoutMs,
          logger: options.logger,
          ...(options.now ? { now: options.now } : {}),
        }),
      );
    default:
      return assertNever(auth);
  }
}

function fixed(authorization: string | undefined): Authorizer {
  const ready = Promise.resolve(authorization);
  return { authorization: () => ready, rejected: () => false, tokenRequests: () => 0 };
}

const bearerPrefix = 'Bearer ';

function oauth(tokens: TokenManager): Authorizer {
  return {
    authorization: async (signal) => `${bearerPrefix}${await tokens.token(signal)}`,
    rejected(authorization) {
      tokens.invalidate(authorization.slice(bearerPrefix.length));
      return true;
    },
    tokenRequests: () => tokens.requests(),
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected auth ${JSON.stringify((value as { type?: unknown }).type)}`);
}
