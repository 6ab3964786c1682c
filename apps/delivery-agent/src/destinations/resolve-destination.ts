import {
  noClientCertificate,
  resolveDeliveryTarget,
  SecretResolutionError,
  UnsupportedAuthError,
  type ClientCertificateAvailability,
  type DeliveryTarget,
  type SecretSources,
} from '@spillway/delivery';
import type { DestinationConfig } from '@spillway/xdm';
import { ZodError } from 'zod';

export type DestinationResolution =
  | { readonly usable: true; readonly target: DeliveryTarget }
  | { readonly usable: false; readonly reason: string };

/**
 * Turns a configured destination into a ready target, with its secret references resolved.
 * When that cannot be done the reason says why without ever carrying a secret value: the
 * destination is then unusable and its exports fail with that reason.
 */
export function resolveDestination(
  config: DestinationConfig,
  secrets: SecretSources,
  clientCertificate: ClientCertificateAvailability = noClientCertificate,
): DestinationResolution {
  // Sending without the certificate would be plain TLS to an endpoint that asked for mTLS.
  if (config.mtls?.enabled && !clientCertificate.available) return { usable: false, reason: `mTLS is switched on, but ${clientCertificate.reason}` };
  try {
    return { usable: true, target: resolveDeliveryTarget(config, secrets) };
  } catch (error) {
    return { usable: false, reason: describeResolutionFailure(error) };
  }
}

function describeResolutionFailure(error: unknown): string {
  if (error instanceof SecretResolutionError) return `auth: ${error.message}`;
  if (error instanceof UnsupportedAuthError) return `auth: type '${error.authType}' is not supported by this delivery agent`;
  if (error instanceof ZodError) {
    // zod messages name the rule, never the value, so they are safe to repeat.
    return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(destination)'}: ${issue.message}`).join('; ');
  }
  return `cannot be prepared for delivery (${error instanceof Error ? error.name : 'unknown error'})`;
}
