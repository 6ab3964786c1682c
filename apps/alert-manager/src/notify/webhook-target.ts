import type { AlertWebhook } from '@spillway/alert-rules';
import { deliveryTargetSchema, isSecretReference, resolveSecret, type DeliveryTarget, type SecretSources } from '@spillway/delivery';

/**
 * The webhook as a delivery target, its secret references resolved (at send time, so a rotated
 * secret is picked up). Throws SecretResolutionError naming the reference, never the secret.
 */
export function resolveWebhookTarget(webhook: AlertWebhook, sources: SecretSources): DeliveryTarget {
  const headers: Record<string, string> = {};
  const secretHeaders: string[] = [];
  for (const [name, value] of Object.entries(webhook.headers ?? {})) {
    if (isSecretReference(value)) {
      headers[name] = resolveSecret(value, sources);
      secretHeaders.push(name);
    } else {
      headers[name] = value;
    }
  }
  return deliveryTargetSchema.parse({
    endpoint: webhook.url,
    headers,
    secretHeaders,
    auth: webhook.bearerToken === undefined ? { type: 'none' } : { type: 'bearer', token: resolveSecret(webhook.bearerToken, sources) },
    timeoutMs: webhook.timeoutMs,
  });
}
