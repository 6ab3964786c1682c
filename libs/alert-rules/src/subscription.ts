import { z } from 'zod';
import { guardedRecord, idSchema, pipelineOwnedHeaders, secretReferenceSchema } from '@spillway/xdm';

const wholeSeconds = (max: number) => z.number({ error: 'must be a number of seconds' }).int({ error: 'must be a whole number of seconds' }).min(1).max(max);
const enabledSchema = z.boolean({ error: 'must be true or false' }).default(true);
const day = 86_400;

/** Every rule's settings, each with its default (docs/alerts.md lists them). */
export const alertRulesSchema = z.strictObject({
  /** Failed requests / all requests to the endpoint over the window, once there were enough requests. */
  failureRate: z
    .strictObject({
      enabled: enabledSchema,
      /** Raised when the ratio is above this. */
      threshold: z.number({ error: 'must be a ratio between 0 and 1' }).min(0).max(1).default(0.1),
      windowSeconds: wholeSeconds(day).default(300),
      /** Fewer requests than this in the window never raise (one failure out of two is not a trend). */
      minRequests: z.number().int().min(1).default(20),
    })
    .prefault({}),
  /** Raised on any dead letter; resolved once none came for `quietSeconds`. */
  deadLettered: z.strictObject({ enabled: enabledSchema, quietSeconds: wholeSeconds(day).default(900) }).prefault({}),
  /** p95 of (deliveredAt - ingestedAt) over the window. */
  deliveryDelay: z
    .strictObject({
      enabled: enabledSchema,
      thresholdSeconds: wholeSeconds(day).default(60),
      windowSeconds: wholeSeconds(day).default(300),
      minDeliveries: z.number().int().min(1).default(10),
    })
    .prefault({}),
  /** Raised while the destination's circuit is open. */
  endpointUnreachable: z.strictObject({ enabled: enabledSchema }).prefault({}),
  /** A running backfill (any partition) without progress for `stalledSeconds`. */
  backfillStalled: z.strictObject({ enabled: enabledSchema, stalledSeconds: wholeSeconds(day).default(300) }).prefault({}),
});

const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Plain headers, or secret references (`env:NAME`, `file:/path`) resolved when the alert is sent. */
const webhookHeadersSchema = guardedRecord(
  z
    .string()
    .regex(headerNamePattern, { error: 'header name must be an HTTP token' })
    .refine((name) => !pipelineOwnedHeaders.has(name.toLowerCase()), { error: 'header is set by Spillway (use bearerToken for Authorization)' }),
  z.string({ error: 'header value must be a string' }).regex(headerValuePattern, { error: 'header value must not contain line breaks or control characters' }),
  'header',
  'must be an object of header name -> value',
);

export const alertWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' }),
  headers: webhookHeadersSchema.optional(),
  /** Sent as `Authorization: Bearer <secret>`; a reference, never the secret. */
  bearerToken: secretReferenceSchema.optional(),
  timeoutMs: z.number().int({ error: 'must be a whole number of milliseconds' }).min(1).max(60_000).default(5_000),
});

export const alertLogSinkSchema = z.strictObject({
  /** One JSON line per alert is appended to this file. */
  path: z.string({ error: 'must be a string' }).startsWith('/', { error: 'must be an absolute path' }),
});

/** What a user configures for one dataflow (the YAML `alerts` entry and the API body, plus the id). */
export const alertSubscriptionSchema = z.strictObject({
  dataflowId: idSchema,
  webhook: alertWebhookSchema,
  logSink: alertLogSinkSchema.optional(),
  rules: alertRulesSchema.prefault({}),
});

export type AlertRules = z.output<typeof alertRulesSchema>;
export type AlertWebhook = z.output<typeof alertWebhookSchema>;
export type AlertSubscription = z.output<typeof alertSubscriptionSchema>;
export type AlertSubscriptionInput = z.input<typeof alertSubscriptionSchema>;

/** The subscription with every default filled in. Throws a ZodError naming the field. */
export function parseAlertSubscription(input: unknown): AlertSubscription {
  return alertSubscriptionSchema.parse(input);
}
