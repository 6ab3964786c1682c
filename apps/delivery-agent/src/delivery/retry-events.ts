import { buildExportHeaders, buildExportUrl, redactHeaders, type DeliveryTarget, type FailedOutcome } from '@spillway/delivery';
import type { AttemptRecord, ExportDeadLettered, ExportRequested } from '@spillway/pipeline-events';
import { describeLastAttempt, runEventId, runIds, type AgentOutputEvent, type FinalOutcome, type RunIdentity } from './outcome-events.ts';
import type { SequencedExport } from './export-sequencer.ts';

type Event<T extends AgentOutputEvent['type']> = Extract<AgentOutputEvent, { type: T }>;

/** An export and the run it belongs to (a replay has its own id). */
export interface ExportRun {
  readonly request: ExportRequested;
  readonly replayId?: string;
}

const idsOf = ({ request, replayId }: ExportRun) => runIds(request, replayId);
const identityOf = ({ request, replayId }: ExportRun): RunIdentity => ({ exportId: request.exportId, replayId, ingestedAt: request.ingestedAt });

/** What one failed attempt met: codes and timing only (messages may quote URLs with keys). */
export function attemptRecord(attempt: number, startedAt: Date, outcome: FailedOutcome, timeoutMs: number): AttemptRecord {
  const answer = outcome.failure === 'status' ? { status: outcome.status } : { errorCode: outcome.errorCode };
  return { attempt, startedAt: startedAt.toISOString(), durationMs: outcome.durationMs, ...answer, reason: describeLastAttempt(outcome, timeoutMs) };
}

/** Recorded before the export waits for its retry; its id makes a re-record after a crash a no-op. */
export function attemptFailedEvent(run: ExportRun, record: AttemptRecord, nextAttemptAt: Date, whileCircuitOpen = false): Event<'ExportAttemptFailed'> {
  return {
    type: 'ExportAttemptFailed',
    id: runEventId(identityOf(run), 'attempt', record.attempt),
    data: { ...idsOf(run), ...record, nextAttemptAt: nextAttemptAt.toISOString(), ...(whileCircuitOpen ? { whileCircuitOpen } : {}) },
  };
}

export function supersededEvent(run: ExportRun, by: SequencedExport, attempts: number, at: Date): FinalOutcome {
  return {
    type: 'ExportSuperseded',
    id: runEventId(identityOf(run), 'outcome', 'ExportSuperseded'),
    data: {
      ...idsOf(run),
      attempts,
      ingestedAt: run.request.ingestedAt,
      supersededBy: by.exportId,
      supersededBySequence: by.sequence,
      supersededAt: at.toISOString(),
    },
  };
}

/**
 * The export as given up, for `deadletters-<dataflowId>`: the request as it was sent, minus what
 * is secret (the query string's values, credentials and secret-backed headers), and every attempt.
 */
export function deadLetteredEvent(
  run: ExportRun,
  target: DeliveryTarget | undefined,
  attempts: readonly AttemptRecord[],
  final: Extract<FinalOutcome, { type: 'ExportFailed' }>,
  at: Date,
): Event<'ExportDeadLettered'> {
  const data: ExportDeadLettered = {
    ...idsOf(run),
    export: run.request,
    ...(target === undefined ? {} : { request: sentRequest(run.request, target) }),
    attempts: [...attempts],
    ...(final.data.status === undefined ? {} : { status: final.data.status }),
    ...(final.data.errorCode === undefined ? {} : { errorCode: final.data.errorCode }),
    reason: final.data.reason,
    deadLetteredAt: at.toISOString(),
  };
  return { type: 'ExportDeadLettered', id: runEventId(identityOf(run), 'deadletter'), data };
}

/**
 * The `ExportFailed` of a run whose dead letter was written but whose outcome was not (the agent
 * stopped between the two appends): the same event id as when written right after it.
 */
export function failedOutcomeOf(deadLetter: ExportDeadLettered): Event<'ExportFailed'> {
  const { exportId, replayId, sequence, dataflowId, destinationId, profileId, attempts, status, errorCode, reason, deadLetteredAt } = deadLetter;
  return {
    type: 'ExportFailed',
    id: runEventId({ exportId, replayId, ingestedAt: deadLetter.export.ingestedAt }, 'outcome', 'ExportFailed'),
    data: {
      exportId,
      ...(replayId === undefined ? {} : { replayId }),
      sequence,
      dataflowId,
      destinationId,
      profileId,
      // Only attempts that were made are recorded: as many as the outcome counts.
      attempts: attempts.length,
      ingestedAt: deadLetter.export.ingestedAt,
      ...(status === undefined ? {} : { status }),
      ...(errorCode === undefined ? {} : { errorCode }),
      reason,
      failedAt: deadLetteredAt,
    },
  };
}

function sentRequest(request: ExportRequested, target: DeliveryTarget): NonNullable<ExportDeadLettered['request']> {
  const url = new URL(buildExportUrl(target));
  const queryParamNames = [...new Set(url.searchParams.keys())];
  url.search = '';
  url.username = '';
  url.password = '';
  const authorization = target.auth.type === 'none' ? undefined : 'redacted';
  const headers = redactHeaders(buildExportHeaders(request, target, authorization), target.secretHeaders);
  return { method: 'POST', url: url.toString(), queryParamNames, headers };
}
