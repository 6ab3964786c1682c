import { z } from 'zod';
import { validateCustomHeaders } from './headers.ts';

/** How we authenticate to the endpoint, with any secret already resolved (never persist this). */
const tokenRequestOptions = {
  tokenUrl: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Where the client id and secret travel: form body, or `Authorization: Basic`. */
  credentialsType: z.enum(['body-form', 'basic']).default('body-form'),
  scope: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  extraTokenParams: z.record(z.string(), z.string()).default({}),
};

export const deliveryAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }),
  z.object({ type: z.literal('oauth2-client-credentials'), ...tokenRequestOptions }),
  z.object({ type: z.literal('oauth2-password'), ...tokenRequestOptions, username: z.string().min(1), password: z.string().min(1) }),
]);
export type DeliveryAuth = z.output<typeof deliveryAuthSchema>;
export type OAuthDeliveryAuth = Extract<DeliveryAuth, { type: 'oauth2-client-credentials' | 'oauth2-password' }>;

const customHeadersSchema = z.record(z.string(), z.string()).superRefine((headers, context) => {
  for (const problem of validateCustomHeaders(headers)) {
    context.addIssue({ code: 'custom', path: [problem.header], message: `header "${problem.header}" ${problem.reason}` });
  }
});

export const defaultTimeoutMs = 2_000;

/** Everything needed to POST exports to one destination. */
export const deliveryTargetSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }),
  /** Appended to any query already in the endpoint URL. */
  queryParams: z.record(z.string(), z.string()).default({}),
  headers: customHeadersSchema.default({}),
  /** Names of custom headers whose values were resolved from secret references (redacted in logs). */
  secretHeaders: z.array(z.string()).default([]),
  auth: deliveryAuthSchema.default({ type: 'none' }),
  /** Budget for the whole request, connect to last response byte; a slower answer is a timeout. */
  timeoutMs: z.number().int().positive().default(defaultTimeoutMs),
});
export type DeliveryTarget = z.output<typeof deliveryTargetSchema>;
export type DeliveryTargetInput = z.input<typeof deliveryTargetSchema>;

/** One export to send: the document of product.md section 7 and the ids the receiver dedups on. */
export const exportRequestSchema = z.object({
  /** Stable across retries of the same export. */
  exportId: z.string().min(1),
  /** Per (dataflow, profile), strictly increasing with the profile's history. */
  sequence: z.number().int().nonnegative(),
  dataflowId: z.string().min(1),
  profileId: z.string().min(1),
  destinationId: z.string().min(1),
  document: z.record(z.string(), z.unknown()),
});
export type ExportRequest = z.output<typeof exportRequestSchema>;
