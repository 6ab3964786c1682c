import type { Logger } from '@spillway/runtime';
import { buildExportUrl, fixedExportHeaders, perExportHeaders } from './export-http-request.ts';
import { sharedHttpClient, type HttpClient, type PreparedPost } from './http-client.ts';
import { createAuthorizer, type Authorizer } from './oauth/authorizer.ts';
import { TokenRequestError } from './oauth/token-error.ts';
import { isRetryableErrorCode, isRetryableStatus, parseRetryAfter, type DeliveryOutcome, type RejectedByEndpoint } from './outcome.ts';
import type { DeliveryTarget, ExportRequest } from './target.ts';

export interface DeliverOptions {
  /** The destination's pooled client; a process-wide one when omitted. */
  readonly httpClient?: HttpClient;
  readonly logger: Logger;
  /** Aborts the request in flight when the caller shuts down; an aborted attempt is not logged. */
  readonly signal?: AbortSignal;
  /**
   * The destination's Authorizer (createAuthorizer), which caches its OAuth token: pass the same
   * one for every export of the destination. When omitted, one is kept per target object.
   */
  readonly authorizer?: Authorizer;
}

// Targets are long-lived objects (one per destination configuration): the POST is prepared once
// per target and client, not once per export.
const preparedPosts = new WeakMap<DeliveryTarget, { readonly client: HttpClient; readonly post: PreparedPost }>();
const authorizers = new WeakMap<DeliveryTarget, Authorizer>();

function postOf(target: DeliveryTarget, client: HttpClient): PreparedPost {
  let prepared = preparedPosts.get(target);
  if (prepared?.client !== client) {
    prepared = { client, post: client.prepare({ url: buildExportUrl(target), headers: fixedExportHeaders(target), timeoutMs: target.timeoutMs }) };
    preparedPosts.set(target, prepared);
  }
  return prepared.post;
}

function authorizerOf(target: DeliveryTarget, request: ExportRequest, client: HttpClient, options: DeliverOptions): Authorizer {
  if (options.authorizer) return options.authorizer;
  let authorizer = authorizers.get(target);
  if (authorizer === undefined) {
    authorizer = createAuthorizer(target, { destinationId: request.destinationId, httpClient: client, logger: options.logger });
    authorizers.set(target, authorizer);
  }
  return authorizer;
}

interface Attempt {
  readonly request: ExportRequest;
  readonly target: DeliveryTarget;
  readonly client: HttpClient;
  readonly authorizer: Authorizer;
  readonly signal: AbortSignal | undefined;
  readonly started: number;
}

/**
 * One attempt: POSTs the document and reports what happened. Never throws for anything the
 * endpoint, the token server or the network does; the caller's retry policy decides what to do
 * next. A 401 to an OAuth token fetches a new token and sends the request once more, within this
 * attempt; a second 401 is the attempt's outcome (not retried: the credentials are wrong).
 */
export async function deliverExport(request: ExportRequest, target: DeliveryTarget, options: DeliverOptions): Promise<DeliveryOutcome> {
  const client = options.httpClient ?? sharedHttpClient();
  const attempt: Attempt = { request, target, client, authorizer: authorizerOf(target, request, client, options), signal: options.signal, started: performance.now() };
  const first = await authorizeAndPost(attempt);
  let outcome = first.outcome;
  if (isUnauthorized(outcome) && first.authorization !== undefined && attempt.authorizer.rejected(first.authorization)) {
    const second = (await authorizeAndPost(attempt)).outcome;
    outcome = isUnauthorized(second) ? { ...second, tokenRenewed: true } : second;
  }
  if (!options.signal?.aborted) logOutcome(options.logger, request, target, outcome);
  return outcome;
}

function isUnauthorized(outcome: DeliveryOutcome): outcome is RejectedByEndpoint {
  return outcome.kind === 'failed' && outcome.failure === 'status' && outcome.status === 401;
}

async function authorizeAndPost(attempt: Attempt): Promise<{ readonly outcome: DeliveryOutcome; readonly authorization: string | undefined }> {
  let authorization: string | undefined;
  try {
    authorization = await attempt.authorizer.authorization(attempt.signal);
  } catch (error) {
    return { outcome: outcomeOfAuthorizationError(error, elapsedSince(attempt.started)), authorization: undefined };
  }
  try {
    const answer = await postOf(attempt.target, attempt.client)({
      headers: perExportHeaders(attempt.request, authorization),
      body: JSON.stringify(attempt.request.document),
      signal: attempt.signal,
    });
    return { outcome: outcomeOfResponse(answer.statusCode, answer.retryAfter, elapsedSince(attempt.started)), authorization };
  } catch (error) {
    return { outcome: outcomeOfError(error, elapsedSince(attempt.started)), authorization };
  }
}

function outcomeOfAuthorizationError(error: unknown, durationMs: number): DeliveryOutcome {
  if (error instanceof TokenRequestError) return { kind: 'failed', failure: 'token', errorCode: error.code, message: error.message, retryable: true, durationMs };
  return outcomeOfError(error, durationMs);
}

function outcomeOfResponse(status: number, retryAfter: string | undefined, durationMs: number): DeliveryOutcome {
  if (status >= 200 && status <= 299) return { kind: 'delivered', status, durationMs };
  const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
  return {
    kind: 'failed',
    failure: 'status',
    status,
    retryable: isRetryableStatus(status),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    durationMs,
  };
}

function outcomeOfError(error: unknown, durationMs: number): DeliveryOutcome {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'failed', failure: 'error', errorCode: code, message, retryable: isRetryableErrorCode(code), durationMs };
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'UNKNOWN';
}

function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

function logOutcome(logger: Logger, request: ExportRequest, target: DeliveryTarget, outcome: DeliveryOutcome): void {
  const context = {
    exportId: request.exportId,
    sequence: request.sequence,
    dataflowId: request.dataflowId,
    profileId: request.profileId,
    destinationId: request.destinationId,
  };
  if (outcome.kind === 'delivered') {
    logger.debug('export delivered', { ...context, status: outcome.status, durationMs: outcome.durationMs });
    return;
  }
  // The query string is left out: customers put API keys in it.
  const endpoint = new URL(target.endpoint);
  logger.warn('export delivery failed', {
    ...context,
    endpoint: `${endpoint.origin}${endpoint.pathname}`,
    ...(outcome.failure === 'status' ? { status: outcome.status, ...(outcome.tokenRenewed ? { tokenRenewed: true } : {}) } : { errorCode: outcome.errorCode, error: outcome.message }),
    retryable: outcome.retryable,
    durationMs: outcome.durationMs,
  });
}
