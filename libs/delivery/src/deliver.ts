import type { Logger } from '@spillway/runtime';
import { buildExportHeaders, buildExportUrl } from './export-http-request.ts';
import { sharedHttpClient, type HttpClient } from './http-client.ts';
import { isRetryableErrorCode, isRetryableStatus, parseRetryAfter, type DeliveryOutcome } from './outcome.ts';
import type { DeliveryTarget, ExportRequest } from './target.ts';

export interface DeliverOptions {
  /** The destination's pooled client; a process-wide one when omitted. */
  readonly httpClient?: HttpClient;
  readonly logger: Logger;
  /** Aborts the request in flight when the caller shuts down; an aborted attempt is not logged. */
  readonly signal?: AbortSignal;
}

// Targets are long-lived objects; the URL is built once per target, not once per export.
const urlCache = new WeakMap<DeliveryTarget, string>();

function exportUrl(target: DeliveryTarget): string {
  let url = urlCache.get(target);
  if (url === undefined) {
    url = buildExportUrl(target);
    urlCache.set(target, url);
  }
  return url;
}

/**
 * One attempt: POSTs the document and reports what happened. Never throws for anything the
 * endpoint or the network does; the caller's retry policy decides what to do next.
 */
export async function deliverExport(request: ExportRequest, target: DeliveryTarget, options: DeliverOptions): Promise<DeliveryOutcome> {
  const client = options.httpClient ?? sharedHttpClient();
  const started = performance.now();
  let outcome: DeliveryOutcome;
  try {
    const response = await client.got.post(exportUrl(target), {
      headers: buildExportHeaders(request, target),
      body: JSON.stringify(request.document),
      timeout: { request: target.timeoutMs },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    outcome = outcomeOfResponse(response.statusCode, response.headers['retry-after'], elapsedSince(started));
  } catch (error) {
    outcome = outcomeOfError(error, elapsedSince(started));
  }
  if (!options.signal?.aborted) logOutcome(options.logger, request, target, outcome);
  return outcome;
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
    ...(outcome.failure === 'status' ? { status: outcome.status } : { errorCode: outcome.errorCode, error: outcome.message }),
    retryable: outcome.retryable,
    durationMs: outcome.durationMs,
  });
}
