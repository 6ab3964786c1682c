import { audienceOriginSchema, destinationCircuitSchema, destinationConfiguredSchema, destinationRateLimitSchema, destinationRetrySchema, epochMsSchema, httpUrlSchema, idSchema, isPlainObject, xdmPathSchema } from '@spillway/xdm';
import { z } from 'zod';
import { alertItemSchema } from './alerts-section.ts';
import { headersField, queryParamsField, tokenParamsField } from './pairs-fields.ts';
import { secretField } from './secret-field.ts';

/**
 * The `spillway apply` file: what a user writes by hand, in YAML or JSON. It is friendlier than
 * the events of streams.md (`id` instead of `destinationId`, headers and query parameters in
 * their user-facing text form, defaults for the switches) and is converted to those events,
 * which are then validated again with their own schemas.
 */

const nonEmptyText = z.string({ error: 'must be text' }).min(1, { error: 'must not be empty' });
const switchField = z.boolean({ error: 'must be true or false' });

const authTypes = "'none', 'bearer', 'oauth2-client-credentials' or 'oauth2-password'";

const credentialsTypeField = z.enum(['body-form', 'basic'], { error: "must be 'body-form' or 'basic'" });

/** Optional on both OAuth kinds: sent with every token request. */
const tokenRequestFields = {
  scope: nonEmptyText.optional(),
  audience: nonEmptyText.optional(),
  extraTokenParams: tokenParamsField.optional(),
};

const authField = z.preprocess(
  // `auth: none` is short for `auth: { type: none }`.
  (value) => (value === 'none' ? { type: 'none' } : value),
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({ type: z.literal('bearer'), token: secretField }),
      z.strictObject({
        type: z.literal('oauth2-client-credentials'),
        tokenUrl: httpUrlSchema,
        clientId: nonEmptyText,
        clientSecret: secretField,
        credentialsType: credentialsTypeField.default('body-form'),
        ...tokenRequestFields,
      }),
      z.strictObject({
        type: z.literal('oauth2-password'),
        tokenUrl: httpUrlSchema,
        clientId: nonEmptyText,
        clientSecret: secretField,
        username: nonEmptyText,
        password: secretField,
        // Left out of the event when not written: the delivery agent then sends them in the body.
        credentialsType: credentialsTypeField.optional(),
        ...tokenRequestFields,
      }),
    ],
    { error: `must be 'none' or an object with a type of ${authTypes}` },
  ),
);

export const destinationItemSchema = z.strictObject({
  id: idSchema,
  name: nonEmptyText,
  description: z.string({ error: 'must be text' }).optional(),
  endpoint: httpUrlSchema,
  queryParams: queryParamsField.optional(),
  headers: headersField.optional(),
  auth: authField.default({ type: 'none' }),
  mtls: switchField.optional(),
  includeSegmentNames: switchField.default(false),
  includeSegmentTimestamps: switchField.default(false),
  timeoutMs: z
    .number({ error: 'must be a number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(1, { error: 'must be at least 1 ms' })
    .max(300_000, { error: 'must be at most 300000 ms (5 minutes)' })
    .optional(),
  /** `{ attempts, baseDelayMs, maxDelayMs, maxRetryAfterMs }`, each optional: the agent's defaults fill the rest. */
  retry: destinationRetrySchema.optional(),
  /** `{ enabled, openAfterSeconds, probeEverySeconds }`, each optional (docs/flow-control.md). */
  circuit: destinationCircuitSchema.optional(),
  /** `{ requestsPerSecond }`. */
  rateLimit: destinationRateLimitSchema.optional(),
  /** Requests at once to this destination (the agent's bound caps it). */
  maxInFlight: destinationConfiguredSchema.shape.maxInFlight,
});

const audienceMappingItemSchema = z.preprocess(
  // `- vip-customers` is short for `- { id: vip-customers }`.
  (value) => (typeof value === 'string' ? { id: value } : value),
  z.strictObject(
    { id: idSchema, mappingCreatedAt: epochMsSchema.optional(), mappingUpdatedAt: epochMsSchema.optional() },
    { error: 'must be an audience id, or an object with id (and optionally mappingCreatedAt, mappingUpdatedAt)' },
  ),
);

export const dataflowItemSchema = z.strictObject({
  id: idSchema,
  destination: idSchema,
  enabled: switchField.default(true),
  consent: switchField.optional(),
  audiences: z.array(audienceMappingItemSchema, { error: 'must be a list of audience ids' }).default([]),
  attributes: z.array(xdmPathSchema, { error: 'must be a list of XDM paths such as person.name.firstName' }).default([]),
});

export const audienceItemSchema = z.strictObject({
  id: idSchema,
  name: z.string({ error: 'must be text' }).max(1024, { error: 'must be at most 1024 characters' }),
  mergePolicy: idSchema,
  origin: audienceOriginSchema.default('segmentation'),
});

export const sections = ['destinations', 'dataflows', 'audiences', 'alerts'] as const;
export type Section = (typeof sections)[number];

/** The file's outline; each item is then checked on its own, so one bad item hides no other problem. */
export const configOutlineSchema = z.strictObject(
  {
    destinations: z.array(z.unknown(), { error: 'must be a list of destinations' }).default([]),
    dataflows: z.array(z.unknown(), { error: 'must be a list of dataflows' }).default([]),
    audiences: z.array(z.unknown(), { error: 'must be a list of audiences' }).default([]),
    alerts: z.array(z.unknown(), { error: 'must be a list of alert subscriptions' }).default([]),
  },
  { error: 'must be a map with destinations:, dataflows:, audiences: and/or alerts: lists' },
);

/** Keys a map accepts, by its place in the file (indices dropped), for "unknown field" messages. */
export const knownFields: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['', sections],
  ['destinations', Object.keys(destinationItemSchema.shape)],
  ['dataflows', Object.keys(dataflowItemSchema.shape)],
  ['audiences', Object.keys(audienceItemSchema.shape)],
  ['dataflows.audiences', ['id', 'mappingCreatedAt', 'mappingUpdatedAt']],
  ['alerts', Object.keys(alertItemSchema.shape)],
]);

/** True when the file has none of the sections: almost certainly the wrong file. */
export function hasNoSection(document: unknown): boolean {
  return isPlainObject(document) && sections.every((section) => !Object.hasOwn(document, section));
}

export type DestinationItem = z.output<typeof destinationItemSchema>;
export type DataflowItem = z.output<typeof dataflowItemSchema>;
export type AudienceItem = z.output<typeof audienceItemSchema>;
