import { resolveSecret, SecretResolutionError, type SecretSources } from './secrets.ts';
import { deliveryTargetSchema, type DeliveryAuth, type DeliveryTarget } from './target.ts';

/** The connection part of a configured destination, as streams.md `DestinationConfigured` carries it. */
export interface DestinationConnection {
  readonly endpoint: string;
  readonly queryParams?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth: { readonly type: string; readonly token?: string };
  readonly timeoutMs?: number;
}

export class UnsupportedAuthError extends Error {
  override readonly name = 'UnsupportedAuthError';
  readonly type = 'UnsupportedAuthError';
  readonly authType: string;

  constructor(authType: string) {
    super(`auth type "${authType}" is not supported by this delivery agent yet`);
    this.authType = authType;
  }
}

/**
 * Resolves the destination's secret references into a ready target. Throws
 * SecretResolutionError (missing secret), UnsupportedAuthError, or a ZodError naming the field.
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

function resolveAuth(auth: DestinationConnection['auth'], sources: SecretSources): DeliveryAuth {
  if (auth.type === 'none') return { type: 'none' };
  if (auth.type === 'bearer') {
    if (auth.token === undefined) throw new SecretResolutionError('invalid', undefined, 'is missing: bearer auth needs a token reference');
    return { type: 'bearer', token: resolveSecret(auth.token, sources) };
  }
  throw new UnsupportedAuthError(auth.type);
}
