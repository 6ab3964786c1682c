import { deliverWithRetry, type ExportRequest, type RetryPolicy } from '@spillway/delivery';
import { deliveriesStreamName, type ExportRequested } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DestinationRegistry } from '../destinations/destination-registry.ts';
import type { DestinationLanes } from './destination-lanes.ts';
import { outcomeEvent, type DeliveryResult, type OutcomeEvent } from './outcome-events.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import type { RecordedOutcomes } from './recorded-outcomes.ts';

export interface ExportHandlerOptions {
  readonly outcomes: OutcomeRecorder;
  readonly destinations: DestinationRegistry;
  readonly lanes: DestinationLanes;
  /** Outcomes already in the store for exports the consumer hands us again after a restart. */
  readonly recorded: RecordedOutcomes;
  readonly retry: Partial<RetryPolicy>;
  /** Aborted when the agent stops: deliveries in flight are abandoned, nothing is recorded for them. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * Delivers one export request (bounded retry) and records its outcome. Idempotent: an export
 * whose outcome is already recorded is not sent again, and the outcome's id is deterministic.
 */
export interface ExportHandler {
  handle(request: ExportRequested): Promise<void>;
  /** Outcomes recorded by this handler, and exports skipped because an outcome was already recorded. */
  counts(): ExportCounts;
}

export interface ExportCounts {
  readonly delivered: number;
  readonly failed: number;
  readonly alreadyRecorded: number;
}

export function createExportHandler(options: ExportHandlerOptions): ExportHandler {
  const { logger } = options;
  // The delivery library logs each attempt; its debug line for a success would double ours.
  const attemptLogger: Logger = { ...logger, debug: () => {} };
  // Decided but not yet written: if the append fails on a store outage the consumer calls us
  // again, and the export must not be sent a second time for that.
  const unrecorded = new Map<string, OutcomeEvent>();
  const counts = { delivered: 0, failed: 0, alreadyRecorded: 0 };

  const deliver = (request: ExportRequested): Promise<DeliveryResult> =>
    options.lanes.run(request.destinationId, async () => {
      const destination = options.destinations.checkout(request.destinationId);
      if (destination.kind === 'unusable') return { kind: 'not-attempted', reason: destination.reason };
      try {
        const delivery = await deliverWithRetry(toExportRequest(request), destination.target, {
          ...options.retry,
          httpClient: destination.httpClient,
          authorizer: destination.authorizer,
          logger: attemptLogger,
          signal: options.signal,
        });
        return { kind: 'attempted', delivery, timeoutMs: destination.target.timeoutMs };
      } finally {
        destination.release();
      }
    });

  const handle = async (request: ExportRequested): Promise<void> => {
    if (options.recorded.consume(request.exportId)) {
      counts.alreadyRecorded++;
      logger.debug('export already has an outcome, not sent again', describe(request));
      return;
    }
    let outcome = unrecorded.get(request.exportId);
    if (outcome === undefined) {
      outcome = outcomeEvent(request, await deliver(request), options.now());
      unrecorded.set(request.exportId, outcome);
    }
    await options.outcomes.record(deliveriesStreamName(request.dataflowId), outcome);
    unrecorded.delete(request.exportId);
    if (outcome.type === 'ExportDelivered') counts.delivered++;
    else counts.failed++;
    logOutcome(logger, request, outcome);
  };
  return { handle, counts: () => ({ ...counts }) };
}

function toExportRequest(request: ExportRequested): ExportRequest {
  const { exportId, sequence, dataflowId, profileId, destinationId, document } = request;
  return { exportId, sequence, dataflowId, profileId, destinationId, document };
}

function describe(request: ExportRequested) {
  return {
    dataflowId: request.dataflowId,
    profileId: request.profileId,
    exportId: request.exportId,
    sequence: request.sequence,
    destinationId: request.destinationId,
  };
}

/** One line per outcome. Never the URL, headers or body: they may carry credentials or personal data. */
function logOutcome(logger: Logger, request: ExportRequested, outcome: OutcomeEvent): void {
  switch (outcome.type) {
    case 'ExportDelivered':
      logger.debug('export delivered', { ...describe(request), status: outcome.data.status, attempts: outcome.data.attempts, durationMs: outcome.data.durationMs });
      return;
    case 'ExportFailed': {
      const { status, errorCode, attempts, reason } = outcome.data;
      logger.warn('export failed', { ...describe(request), status: status ?? null, ...(errorCode ? { errorCode } : {}), attempts, reason });
      return;
    }
    default:
      assertNever(outcome);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
