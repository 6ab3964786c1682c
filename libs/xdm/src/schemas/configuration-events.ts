import { z } from 'zod';
import { epochMsSchema, guardedRecord, idSchema, secretReferenceSchema, xdmPathSchema } from './primitives.ts';

/** An endpoint or token URL: absolute http(s), without credentials in it. */
export const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
  // A password in the URL would sit in the configuration stream in plain text, where `auth` keeps only a reference.
  .refine((url) => hasNoCredentials(url), { error: 'must not contain a user name or password (user:password@); credentials go in `auth`, as secret references' });

function hasNoCredentials(url: string): boolean {
  const { username, password } = new URL(url);
  return username === '' && password === '';
}

/**
 * Token request parameters the grant itself sets; `scope` and `audience` have their own fields.
 * An extra parameter may not replace any of them.
 */
export const reservedTokenParams: ReadonlySet<string> = new Set(['grant_type', 'client_id', 'client_secret', 'username', 'password', 'refresh_token', 'scope', 'audience']);

const tokenParamsSchema = guardedRecord(
  z
    .string()
    .min(1, { error: 'token parameter name must not be empty' })
    .refine((name) => !reservedTokenParams.has(name), { error: 'is set by the grant (or by the scope / audience field) and cannot be an extra token parameter' }),
  z.string({ error: 'token parameter value must be a string' }),
  'token parameter',
  'must be an object of parameter name -> value',
);

/** Optional on every OAuth kind: sent with each token request (initial grant and refresh). */
const tokenRequestOptions = {
  /** Space-separated scopes, RFC 6749 section 3.3. */
  scope: z.string({ error: 'must be text' }).min(1, { error: 'must not be empty' }).optional(),
  /** The API the token is for (Auth0, Okta and others ask for it). */
  audience: z.string({ error: 'must be text' }).min(1, { error: 'must not be empty' }).optional(),
  /** Any other form parameters the token server needs (e.g. `resource`). */
  extraTokenParams: tokenParamsSchema.optional(),
};

const credentialsTypeSchema = z.enum(['body-form', 'basic'], { error: "must be 'body-form' or 'basic'" });

export const authSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({ type: z.literal('bearer'), token: secretReferenceSchema }),
    z.strictObject({
      type: z.literal('oauth2-client-credentials'),
      tokenUrl: httpUrlSchema,
      clientId: z.string().min(1, { error: 'must not be empty' }),
      clientSecret: secretReferenceSchema,
      credentialsType: credentialsTypeSchema,
      ...tokenRequestOptions,
    }),
    z.strictObject({
      type: z.literal('oauth2-password'),
      tokenUrl: httpUrlSchema,
      clientId: z.string().min(1, { error: 'must not be empty' }),
      clientSecret: secretReferenceSchema,
      username: z.string().min(1, { error: 'must not be empty' }),
      password: secretReferenceSchema,
      /** Where the client id and secret travel; the user's credentials are always in the body. @defaultValue 'body-form' */
      credentialsType: credentialsTypeSchema.optional(),
      ...tokenRequestOptions,
    }),
  ],
  { error: "must have a type of 'none', 'bearer', 'oauth2-client-credentials' or 'oauth2-password'" },
);

// RFC 9110 token characters.
const headerNamePattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Header values: visible characters, spaces and tabs; no CR/LF (no header injection).
const headerValuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers the pipeline sets itself; a custom header may not replace them. Authorization is
 * among them whatever the auth type: a custom one would put a credential into the stream in
 * plain text, where the `auth` setting keeps only a reference to it.
 */
export const pipelineOwnedHeaders: ReadonlySet<string> = new Set([
  'authorization', 'content-type', 'content-length', 'host', 'transfer-encoding', 'connection', 'x-export-id', 'x-export-sequence',
]);

const headerMapSchema = guardedRecord(
  z
    .string()
    .regex(headerNamePattern, { error: 'header name must be an HTTP token (letters, digits, !#$%&\'*+.^_`|~-)' })
    .refine((name) => name.toLowerCase() !== 'authorization', { error: 'Authorization comes from `auth` (with a secret reference); a custom one would store the credential in plain text', abort: true })
    .refine((name) => !pipelineOwnedHeaders.has(name.toLowerCase()), { error: 'header is set by the pipeline and cannot be overridden' }),
  z.string({ error: 'header value must be a string' }).regex(headerValuePattern, { error: 'header value must be printable ASCII or Latin-1: no line breaks, control characters or characters beyond U+00FF' }),
  'header',
  'must be an object of header name -> value',
);

/**
 * Header names are case-insensitive: two that differ only in case would be one header sent twice.
 * Each name that repeats an earlier one but for case, with the one it repeats.
 */
export function caseInsensitiveRepeats(names: Iterable<string>): Map<string, string> {
  const seen = new Map<string, string>();
  const repeats = new Map<string, string>();
  for (const name of names) {
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) repeats.set(name, earlier);
    seen.set(name.toLowerCase(), name);
  }
  return repeats;
}

const headersSchema = headerMapSchema.superRefine((headers, context) => {
  for (const [name, earlier] of caseInsensitiveRepeats(Object.keys(headers))) {
    context.addIssue({ code: 'custom', path: [name], message: `duplicates header '${earlier}' (header names are case-insensitive)` });
  }
});

const queryParamsSchema = guardedRecord(
  z.string().min(1, { error: 'query parameter name must not be empty' }),
  z.string({ error: 'query parameter value must be a string' }),
  'query parameter',
  'must be an object of parameter name -> value',
);

/** Default endpoint timeout (product.md section 4). */
export const defaultTimeoutMs = 2000;

const wholeMs = (max: number) => z.number().int({ error: 'must be a whole number of milliseconds' }).min(0).max(max);

/** How the delivery agent retries this destination's failed requests (defaults: the agent's). */
export const destinationRetrySchema = z.strictObject({
  /** Total attempts, the first included. */
  attempts: z.number().int({ error: 'must be a whole number' }).min(1).max(20).optional(),
  /** Backoff ceiling of the first retry; doubles each retry (full jitter). */
  baseDelayMs: wholeMs(3_600_000).optional(),
  /** No backoff is longer than this. */
  maxDelayMs: wholeMs(3_600_000).optional(),
  /** The longest `Retry-After` honoured; a longer one is shortened to this. */
  maxRetryAfterMs: wholeMs(3_600_000).optional(),
});

const wholeSeconds = (max: number) => z.number().int({ error: 'must be a whole number of seconds' }).min(1, { error: 'must be at least 1 second' }).max(max, { error: `must be at most ${max} seconds` });

/** Circuit breaker defaults (docs/flow-control.md): on, opened after 30 s of failures only, probed every 10 s. */
export const defaultCircuit = { enabled: true, openAfterSeconds: 30, probeEverySeconds: 10 } as const;

/** When the delivery agent pauses a destination that fails every request (issue 5). Each field optional: the defaults fill the rest. */
export const destinationCircuitSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
  /** Every request failed (retryable failures only) for this long: the circuit opens. */
  openAfterSeconds: wholeSeconds(86_400).optional(),
  /** While open, one waiting export is sent as a probe this often. */
  probeEverySeconds: wholeSeconds(3_600).optional(),
});

/** At most this many requests per second to the destination (a token bucket); exports wait for their turn. */
export const destinationRateLimitSchema = z.strictObject({
  requestsPerSecond: z.number({ error: 'must be a number of requests per second' }).positive({ error: 'must be more than 0' }).max(100_000, { error: 'must be at most 100000' }),
});

/** `destination-<id>`: the destination's full configuration. Latest wins. */
export const destinationConfiguredSchema = z
  .strictObject({
    destinationId: idSchema,
    name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
    description: z.string({ error: 'must be a string' }).optional(),
    endpoint: httpUrlSchema,
    queryParams: queryParamsSchema.optional(),
    headers: headersSchema.optional(),
    auth: authSchema,
    mtls: z.strictObject({ enabled: z.boolean({ error: 'must be true or false' }) }).optional(),
    includeSegmentNames: z.boolean({ error: 'must be true or false' }),
    includeSegmentTimestamps: z.boolean({ error: 'must be true or false' }),
    timeoutMs: z.number().int({ error: 'must be a whole number of milliseconds' }).min(1).max(300_000).optional(),
    retry: destinationRetrySchema.optional(),
    circuit: destinationCircuitSchema.optional(),
    rateLimit: destinationRateLimitSchema.optional(),
    /** Requests at once to this destination; the agent's own bound (SPILLWAY_DELIVERY_MAX_IN_FLIGHT_PER_DESTINATION) caps it. */
    maxInFlight: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(1024, { error: 'must be at most 1024' }).optional(),
  })
  .superRefine((destination, context) => {
    // The client certificate is presented in the TLS handshake: over plain HTTP it would silently not be.
    if (destination.mtls?.enabled === true && new URL(destination.endpoint).protocol === 'http:') {
      context.addIssue({ code: 'custom', path: ['mtls', 'enabled'], message: 'mTLS needs an https:// endpoint (the certificate is presented in the TLS handshake)' });
    }
  });

export const destinationDeletedSchema = z.strictObject({ destinationId: idSchema });

export const audienceMappingSchema = z.strictObject({
  audienceId: idSchema,
  mappingCreatedAt: epochMsSchema.optional(),
  mappingUpdatedAt: epochMsSchema.optional(),
});

/** `dataflow-<id>`: audiences and attributes activated to one destination. Latest wins. */
export const dataflowConfiguredSchema = z
  .strictObject({
    dataflowId: idSchema,
    destinationId: idSchema,
    audiences: z.array(audienceMappingSchema, { error: 'must be a list of { audienceId }' }),
    attributes: z.array(xdmPathSchema, { error: 'must be a list of XDM paths' }).superRefine((paths, context) => {
      paths.forEach((path, index) => {
        const root = path.split('.')[0];
        if (root === 'identityMap' || root === 'segmentMembership') {
          context.addIssue({ code: 'custom', path: [index], message: `'${root}' cannot be mapped: it is always part of the export` });
        }
      });
    }),
    enabled: z.boolean({ error: 'must be true or false' }),
    consent: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((dataflow, context) => {
    reportDuplicates(dataflow.audiences.map((mapping) => mapping.audienceId), ['audiences'], 'audienceId', context);
    reportDuplicates(dataflow.attributes, ['attributes'], undefined, context);
  });

function reportDuplicates(values: readonly string[], path: PropertyKey[], field: string | undefined, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) {
      context.addIssue({ code: 'custom', path: field ? [...path, index, field] : [...path, index], message: `'${value}' is listed twice` });
    }
    seen.add(value);
  });
}

export const dataflowDeletedSchema = z.strictObject({ dataflowId: idSchema });

export type Auth = z.infer<typeof authSchema>;
export type AuthType = Auth['type'];
export type DestinationConfig = z.infer<typeof destinationConfiguredSchema>;
export type DestinationRetry = z.infer<typeof destinationRetrySchema>;
export type DestinationCircuit = z.infer<typeof destinationCircuitSchema>;
export type DestinationRateLimit = z.infer<typeof destinationRateLimitSchema>;
export type DestinationDeletedData = z.infer<typeof destinationDeletedSchema>;
export type AudienceMapping = z.infer<typeof audienceMappingSchema>;
export type DataflowConfig = z.infer<typeof dataflowConfiguredSchema>;
export type DataflowDeletedData = z.infer<typeof dataflowDeletedSchema>;
