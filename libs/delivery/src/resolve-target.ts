import type { Auth } from '@spillway/xdm';
import { resolveSecret, SecretResolutionError, type SecretSources } from './secrets.ts';
import { deliveryTargetSchema, type DeliveryAuth, type DeliveryTarget } from './target.ts';

/** The connection part of a configured destination, as streams.md `DestinationConfigured` carries it. */
export interface DestinationConnection {
  readonly endpoint: string;
  readonly queryParams?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth: Auth;
  readonly timeoutMs?: number;
}

/** An auth type this agent does not know (configuration written by a newer version). */
export class UnsupportedAuthError extends Error {
  override readonly name = 'UnsupportedAuthError';
  readonly type = 'UnsupportedAuthError';
  readonly authType: string;

  constructor(authType: string) {
    super(`auth type "${authType}" is not supported by this delivery agent`);
    this.authType = authType;
  }
}

/**
 * Resolves the destination's secret references into a ready target. Throws
 * SecretResolutionError (missing secret, naming the auth field), UnsupportedAuthError, or a
 * ZodError naming the field.
 */
export function resolveDeliveryTarget(destination: DestinationConnection, sources: SecretSources): DeliveryTarget {
  return deliveryTargetSchema.parse({
    endpoint: destination.endpoint,
    queryParams: destination.queryParams ?? {},
    headers: destination.headers ?? {},
    auth: resolveAuth(destination.auth, sources),
    ...(destination.timeoutMs === undefined ? {} : { timeoutMs: destination.timeoutMs }),
  });
}

function resolveAuth(auth: Auth, sources: SecretSources): DeliveryAuth {
  const secret = (field: string, reference: string | undefined) => {
    if (reference === undefined) throw new SecretResolutionError('invalid', undefined, `is missing: ${auth.type} auth needs a ${field} reference`);
    return resolveSecret(reference, sources);
  };
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      return { type: 'bearer', token: secret('token', auth.token) };
    case 'oauth2-client-credentials':
      return { ...auth, clientSecret: secret('clientSecret', auth.clientSecret), extraTokenParams: auth.extraTokenParams ?? {} };
    case 'oauth2-password':
      return {
        ...auth,
        clientSecret: secret('clientSecret', auth.clientSecret),
        password: secret('password', auth.password),
        credentialsType: auth.credentialsType ?? 'body-form',
        extraTokenParams: auth.extraTokenParams ?? {},
      };
    default:
      throw new UnsupportedAuthError((auth as { type: string }).type);
  }
}
