import { describeTlsFailure, type FailedOutcome, type RetriedDelivery } from '@spillway/delivery';
import { defineEvents, orderedEventIdAt, type EventToAppend } from '@spillway/event-streams';
import { internalEventSchemas, type ExportRequested } from '@spillway/pipeline-events';

/** What the agent writes to `deliveries-<dataflowId>` (and `ExportDeadLettered` to `deadletters-<dataflowId>`). */
export const agentOutputEvents = defineEvents({
  ExportDelivered: internalEventSchemas.ExportDelivered,
  ExportFailed: internalEventSchemas.ExportFailed,
  ExportSuperseded: internalEventSchemas.ExportSuperseded,
  ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed,
  ExportDeadLettered: internalEventSchemas.ExportDeadLettered,
});

export type AgentOutputEvent = EventToAppend<typeof agentOutputEvents> & { readonly id: string };
/** The one final outcome of an export run in `deliveries-<dataflowId>`. */
export type FinalOutcome = Extract<AgentOutputEvent, { type: 'ExportDelivered' | 'ExportFailed' | 'ExportSuperseded' }>;
export type OutcomeEvent = Extract<AgentOutputEvent, { type: 'ExportDelivered' | 'ExportFailed' }>;

/** One delivery run of an export: the first (no replay id) or a replay. Outcomes are keyed by it. */
export function runKeyOf(exportId: string, replayId: string | undefined): string {
  return replayId === undefined ? exportId : `${exportId}/${replayId}`;
}

/** What the event ids of an export run derive from: what every event of the run carries. */
export interface RunIdentity {
  readonly exportId: string;
  readonly replayId?: string | undefined;
  readonly ingestedAt: string;
}

/**
 * Event id of something derived from one run of an export (a replay's ids include its replay id).
 * Time first, the change's ingest time (see `orderedEventId`): the same for every event of the run,
 * and close to the ids the projector and decider gave the change, in the store's event-id index.
 */
export function runEventId(run: RunIdentity, kind: string, ...parts: (string | number)[]): string {
  return run.replayId === undefined ? orderedEventIdAt(run.ingestedAt, kind, run.exportId, ...parts) : orderedEventIdAt(run.ingestedAt, kind, run.exportId, 'replay', run.replayId, ...parts);
}

/** How an export ended: sent (whatever the answer), or not sent because its destination cannot be used. */
export type DeliveryResult =
  | { readonly kind: 'attempted'; readonly delivery: RetriedDelivery; readonly timeoutMs: number }
  | { readonly kind: 'not-attempted'; readonly reason: string; /** HTTP attempts made before (a destination deleted between retries). */ readonly attempts?: number };

/** The ids every event of an export run carries (a replay has its own `replayId`). */
export const runIds = (request: ExportRequested, replayId: string | undefined) => ({
  exportId: request.exportId,
  ...(replayId === undefined ? {} : { replayId }),
  sequence: request.sequence,
  dataflowId: request.dataflowId,
  destinationId: request.destinationId,
  profileId: request.profileId,
});

/**
 * The outcome event of one export. Its id is derived from the export id and the outcome kind, so
 * recording the same outcome again (a re-handle after a crash) writes nothing new.
 */
export function outcomeEvent(request: ExportRequested, result: DeliveryResult, at: Date, replayId?: string): OutcomeEvent {
  const base = { ...runIds(request, replayId), ingestedAt: request.ingestedAt };
  const atIso = at.toISOString();
  if (result.kind === 'not-attempted') {
    return failed({ ...base, attempts: result.attempts ?? 0, reason: result.reason, failedAt: atIso });
  }
  const { outcome, attempts } = result.delivery;
  if (outcome.kind === 'delivered') {
    return {
      type: 'ExportDelivered',
      id: runEventId(base, 'outcome', 'ExportDelivered'),
      data: { ...base, lane: request.lane, attempts, status: outcome.status, durationMs: outcome.durationMs, deliveredAt: atIso },
    };
  }
  const answer = outcome.failure === 'status' ? { status: outcome.status } : { errorCode: outcome.errorCode };
  return failed({ ...base, attempts, ...answer, reason: describeFailure(result.delivery, outcome, result.timeoutMs), failedAt: atIso });
}

function failed(data: Extract<OutcomeEvent, { type: 'ExportFailed' }>['data']): OutcomeEvent {
  return { type: 'ExportFailed', id: runEventId(data, 'outcome', 'ExportFailed'), data };
}

/** One sentence a user can act on; built from codes only (error messages may quote URLs with keys in them). */
export function describeFailure(delivery: RetriedDelivery, outcome: FailedOutcome, timeoutMs: number): string {
  const last = describeLastAttempt(outcome, timeoutMs);
  switch (delivery.stoppedBecause) {
    case 'not-retryable':
      return `${last}, which is not retried`;
    case 'attempts-exhausted':
      return `gave up after ${delivery.attempts} attempts: on the last one ${last}`;
    case 'delivered':
      return last;
    default:
      return assertNever(delivery.stoppedBecause);
  }
}

/** What one attempt met, as a phrase: `the endpoint answered HTTP 503`. */
export function describeLastAttempt(outcome: FailedOutcome, timeoutMs: number): string {
  switch (outcome.failure) {
    case 'status':
      return outcome.tokenRenewed ? `the endpoint answered HTTP ${outcome.status} even to a newly issued OAuth token` : `the endpoint answered HTTP ${outcome.status}`;
    case 'error':
      return describeNoAnswer(outcome.errorCode, timeoutMs);
    case 'token':
      // Built by the delivery library from the destination id and the token server's host only.
      return outcome.message;
    default:
      return assertNever(outcome);
  }
}

function describeNoAnswer(errorCode: string, timeoutMs: number): string {
  switch (errorCode) {
    case 'ETIMEDOUT':
      return `the endpoint did not answer within ${timeoutMs} ms`;
    case 'ECONNREFUSED':
      return 'the endpoint refused the connection';
    case 'ECONNRESET':
      return 'the endpoint closed the connection without answering';
    default:
      return describeTlsFailure(errorCode) ?? `the request failed with ${errorCode}`;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
