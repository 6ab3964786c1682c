import type { RetryPolicy } from '@spillway/delivery';
import { deadlettersStreamName, deliveriesStreamName, type ExportRequested } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DestinationRegistry } from '../destinations/destination-registry.ts';
import type { FlowControl } from '../flow-control/flow-control.ts';
import type { DestinationLanes } from './destination-lanes.ts';
import { bringsNothingNewer, createDeliveredSequences, createExportSequencer, type SequencedExport } from './export-sequencer.ts';
import { runKeyOf, type AgentOutputEvent, type FinalOutcome } from './outcome-events.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import type { RecordedOutcomes } from './recorded-outcomes.ts';
import { failedOutcomeOf, supersededEvent, type ExportRun } from './retry-events.ts';
import { runDurableRetries } from './durable-retries.ts';

export interface ExportHandlerOptions {
  readonly outcomes: OutcomeRecorder;
  readonly destinations: DestinationRegistry;
  readonly lanes: DestinationLanes;
  /** Each destination's circuit breaker and rate limit. */
  readonly flow: FlowControl;
  /** Outcomes and failed attempts already in the store for exports the consumer hands us again after a restart. */
  readonly recorded: RecordedOutcomes;
  /** The agent's defaults; a destination's own `retry` settings take precedence. */
  readonly retry: Partial<RetryPolicy>;
  /** Aborted when the agent stops: deliveries in flight and retry waits are abandoned, nothing is recorded for them. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The newest delivered sequence, since the replayed export was decided, when a replay's (dataflow, profile) is not among those remembered. */
  readonly loadDelivered: (replayed: ExportRequested) => Promise<SequencedExport | undefined>;
  /** (dataflow, profile) pairs whose newest delivered sequence is remembered. @defaultValue 100,000 */
  readonly rememberDelivered?: number;
  readonly random?: () => number;
}

/**
 * Delivers one export run (durable retries) and records its one final outcome. Idempotent: a run
 * whose outcome is already recorded is not sent again, and every event id is deterministic.
 */
export interface ExportHandler {
  handle(run: ExportRun): Promise<void>;
  counts(): ExportCounts;
  /** Exports sending or waiting for a retry, and exports queued behind one of the same profile. */
  sequencing(): { readonly running: number; readonly queued: number };
}

export interface ExportCounts {
  readonly delivered: number;
  readonly failed: number;
  readonly superseded: number;
  /** Failed attempts followed by a retry. */
  readonly retried: number;
  readonly alreadyRecorded: number;
}

export function createExportHandler(options: ExportHandlerOptions): ExportHandler {
  const { logger } = options;
  // The delivery library logs each attempt; its debug line for a success would double ours.
  const attemptLogger: Logger = { ...logger, debug: () => {} };
  // Decided but not yet written: if the append fails on a store outage the consumer calls us
  // again, and the export must not be sent a second time for that.
  const unrecorded = new Map<string, AgentOutputEvent[]>();
  const counts = { delivered: 0, failed: 0, superseded: 0, retried: 0, alreadyRecorded: 0 };
  const sequencer = createExportSequencer();
  const delivered = createDeliveredSequences(options.rememberDelivered ?? 100_000);
  const supersessions = createPendingSupersessions();
  const retryOptions = { ...options, logger: attemptLogger, onRetry: () => void counts.retried++ };

  const finish = async (run: ExportRun, events: AgentOutputEvent[]) => {
    const runKey = runKeyOf(run.request.exportId, run.replayId);
    unrecorded.set(runKey, events);
    // The dead letter goes first: once the final outcome is written the run is never handled again.
    for (const event of events) {
      const stream = event.type === 'ExportDeadLettered' ? deadlettersStreamName(run.request.dataflowId) : deliveriesStreamName(run.request.dataflowId);
      await options.outcomes.record(stream, event);
    }
    unrecorded.delete(runKey);
    const final = events.at(-1) as FinalOutcome;
    if (final.type === 'ExportDelivered') counts.delivered++;
    else if (final.type === 'ExportFailed') counts.failed++;
    else counts.superseded++;
    logOutcome(logger, run, final);
  };

  const newestDelivered = async (run: ExportRun, key: string): Promise<SequencedExport | undefined> => {
    const known = delivered.get(key);
    // Exports come in log order, so only a replay can be older than what was delivered.
    if (known !== undefined || run.replayId === undefined) return known;
    const loaded = await options.loadDelivered(run.request);
    if (loaded !== undefined) delivered.note(key, loaded);
    return loaded;
  };

  const handle = async (run: ExportRun): Promise<void> => {
    const { request } = run;
    const runKey = runKeyOf(request.exportId, run.replayId);
    if (options.recorded.consume(runKey)) {
      counts.alreadyRecorded++;
      logger.debug('export already has an outcome, not sent again', describe(run));
      return;
    }
    const decided = unrecorded.get(runKey);
    if (decided !== undefined) return finish(run, decided);
    const deadLetter = options.recorded.takeDeadLetter(runKey);
    if (deadLetter !== undefined) {
      // Given up before the restart: its dead letter is written, only the outcome is missing.
      logger.info('export was dead-lettered before the restart, recording its outcome', describe(run));
      return finish(run, [failedOutcomeOf(deadLetter)]);
    }
    const priorAttempts = options.recorded.takeAttempts(runKey);
    const key = `${request.dataflowId}/${request.profileId}`;
    // Called before any await: the consumer hands exports over in log order.
    const candidate: SequencedExport = { exportId: request.exportId, sequence: request.sequence, ...(run.replayId === undefined ? {} : { replay: true }) };
    const admission = await sequencer.enter(key, candidate);
    if (admission.kind === 'superseded') return supersessions.track(key, finish(run, [supersededEvent(run, admission.by, priorAttempts.length, options.now())]));
    try {
      await supersessions.settled(key);
      options.signal.throwIfAborted();
      const newest = await newestDelivered(run, key);
      if (newest !== undefined && bringsNothingNewer(candidate, newest)) {
        return await finish(run, [supersededEvent(run, newest, priorAttempts.length, options.now())]);
      }
      const events = await runDurableRetries(run, priorAttempts, admission.turn, retryOptions);
      await finish(run, events);
      const final = events.at(-1);
      if (final?.type === 'ExportDelivered') delivered.note(key, { exportId: request.exportId, sequence: request.sequence });
    } finally {
      sequencer.leave(key, admission.turn);
    }
  };
  return { handle, counts: () => ({ ...counts }), sequencing: () => sequencer.stats() };
}

/**
 * The outcome of an older export of a key, superseded while queued, must be in the store before a
 * newer export of that key goes out: were the agent to die in between, the restarted agent would
 * find the older export without an outcome and send it after the newer one had reached the endpoint.
 */
function createPendingSupersessions() {
  const pending = new Map<string, Promise<void>>();
  return {
    track(key: string, recording: Promise<void>): Promise<void> {
      // Failures are the superseded export's own to report (its handler rejects); here only "done" matters.
      const chained = Promise.all([pending.get(key), recording]).then(
        () => {},
        () => {},
      );
      pending.set(key, chained);
      void chained.then(() => {
        if (pending.get(key) === chained) pending.delete(key);
      });
      return recording;
    },
    settled: (key: string): Promise<void> => pending.get(key) ?? Promise.resolve(),
  };
}

function describe({ request, replayId }: ExportRun) {
  return {
    dataflowId: request.dataflowId,
    profileId: request.profileId,
    exportId: request.exportId,
    ...(replayId === undefined ? {} : { replayId }),
    sequence: request.sequence,
    destinationId: request.destinationId,
  };
}

/** One line per outcome. Never the URL, headers or body: they may carry credentials or personal data. */
function logOutcome(logger: Logger, run: ExportRun, outcome: FinalOutcome): void {
  switch (outcome.type) {
    case 'ExportDelivered':
      logger.debug('export delivered', { ...describe(run), status: outcome.data.status, attempts: outcome.data.attempts, durationMs: outcome.data.durationMs });
      return;
    case 'ExportFailed': {
      const { status, errorCode, attempts, reason } = outcome.data;
      logger.warn('export failed', { ...describe(run), deadLettered: true, status: status ?? null, ...(errorCode ? { errorCode } : {}), attempts, reason });
      return;
    }
    case 'ExportSuperseded':
      logger.info('export superseded, not sent', { ...describe(run), supersededBy: outcome.data.supersededBy, supersededBySequence: outcome.data.supersededBySequence });
      return;
    default:
      assertNever(outcome);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
