import { setTimeout as delay } from 'node:timers/promises';
import { deliverExport, defaultRetryPolicy, nextRetryDelay, type DeliveryOutcome, type DeliveryTarget, type RetryPolicy } from '@spillway/delivery';
import { deliveriesStreamName, type AttemptRecord, type ExportAttemptFailed } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DestinationRegistry } from '../destinations/destination-registry.ts';
import type { CircuitPass, FlowControl } from '../flow-control/flow-control.ts';
import type { DestinationLanes } from './destination-lanes.ts';
import type { Turn } from './export-sequencer.ts';
import { outcomeEvent, type AgentOutputEvent, type OutcomeEvent } from './outcome-events.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import { attemptFailedEvent, attemptRecord, deadLetteredEvent, supersededEvent, type ExportRun } from './retry-events.ts';

export interface DurableRetryOptions {
  readonly outcomes: OutcomeRecorder;
  readonly destinations: DestinationRegistry;
  readonly lanes: DestinationLanes;
  /** Each destination's circuit breaker and rate limit. */
  readonly flow: FlowControl;
  readonly retry: Partial<RetryPolicy>;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly random?: () => number;
  readonly onRetry: () => void;
}

type AttemptResult =
  | { readonly kind: 'attempted'; readonly outcome: DeliveryOutcome; readonly target: DeliveryTarget; readonly policy: RetryPolicy; readonly startedAt: Date }
  | { readonly kind: 'not-attempted'; readonly reason: string };

/**
 * Attempts an export until it is delivered, given up, or superseded, and returns the events of
 * its end (the dead letter before the final outcome). Each failed attempt that will be retried
 * is recorded (`ExportAttemptFailed`, awaited) before the wait, so a restart resumes with the
 * next attempt number at the time planned, from `prior` (the attempts recorded before it).
 * The destination's request slot is held for an attempt only, never across a wait.
 *
 * While the destination's circuit is open the export waits for it before its attempt, and a
 * retryable failure met while it is open (a failed probe, or a request that was already on its
 * way) sends the export back to wait instead of counting against its retries: an outage of the
 * endpoint does not turn into dead letters.
 */
export async function runDurableRetries(
  run: ExportRun,
  prior: readonly ExportAttemptFailed[],
  turn: Turn,
  options: DurableRetryOptions,
): Promise<AgentOutputEvent[]> {
  const { request } = run;
  const attempts: AttemptRecord[] = prior.map(recordOf);
  const last = prior.at(-1);
  let attempt = (last?.attempt ?? 0) + 1;
  let nextAttemptAt = last === undefined ? undefined : new Date(last.nextAttemptAt);
  /** Attempts that failed while the circuit was open (recorded so, before a restart too): they do not count against the retry limit. */
  let uncharged = prior.filter((failed) => failed.whileCircuitOpen === true).length;
  const superseded = (by: NonNullable<ReturnType<Turn['supersededBy']>>) => [supersededEvent(run, by, attempts.length, options.now())];

  for (;; attempt++) {
    if (nextAttemptAt !== undefined) await waitUntil(nextAttemptAt, options.now, AbortSignal.any([turn.superseded, options.signal]));
    options.signal.throwIfAborted();
    const newer = turn.supersededBy();
    if (newer !== undefined) return superseded(newer);

    const pass = options.flow.tryAdmit(request.destinationId) ?? (await options.flow.admit(request.destinationId, AbortSignal.any([turn.superseded, options.signal])));
    options.signal.throwIfAborted();
    if (pass === undefined) return superseded(supersededWhileWaiting(turn));

    const result = await attemptOnce(run, pass, options);
    options.signal.throwIfAborted();
    if (result.kind === 'attempted' && result.outcome.kind === 'failed') attempts.push(attemptRecord(attempt, result.startedAt, result.outcome, result.target.timeoutMs));
    // A newer export came while this attempt ran: unless this one got through, it is dropped, not dead-lettered.
    const newerMeanwhile = turn.supersededBy();
    if (newerMeanwhile !== undefined && !isDelivered(result)) return superseded(newerMeanwhile);
    if (result.kind === 'not-attempted') {
      const final = outcomeEvent(request, { kind: 'not-attempted', reason: result.reason, attempts: attempts.length }, options.now(), run.replayId);
      return deadLettered(run, undefined, attempts, final, options.now());
    }
    const { outcome, target, policy } = result;
    if (outcome.kind === 'failed' && outcome.retryable && options.flow.isOpen(request.destinationId)) {
      uncharged++;
      nextAttemptAt = await planRetry(run, attempts.at(-1), 0, options, true);
      continue;
    }
    const decision = nextRetryDelay(attempt - uncharged, outcome, policy, options.random ?? Math.random);
    if (!decision.retry) {
      const final = outcomeEvent(request, { kind: 'attempted', delivery: { outcome, attempts: attempt, stoppedBecause: decision.reason }, timeoutMs: target.timeoutMs }, options.now(), run.replayId);
      return final.type === 'ExportDelivered' ? [final] : deadLettered(run, target, attempts, final, options.now());
    }
    nextAttemptAt = await planRetry(run, attempts.at(-1), decision.delayMs, options);
  }
}

/** Records the failed attempt with the time of the next one, and only then lets the export wait. */
async function planRetry(run: ExportRun, failedAttempt: AttemptRecord | undefined, delayMs: number, options: DurableRetryOptions, whileCircuitOpen = false): Promise<Date> {
  if (failedAttempt === undefined) throw new Error('a retry follows a failed attempt');
  const { request } = run;
  const nextAttemptAt = new Date(options.now().getTime() + delayMs);
  await options.outcomes.record(deliveriesStreamName(request.dataflowId), attemptFailedEvent(run, failedAttempt, nextAttemptAt, whileCircuitOpen));
  options.onRetry();
  options.logger.info('export attempt failed, retry planned', {
    exportId: request.exportId,
    dataflowId: request.dataflowId,
    profileId: request.profileId,
    attempt: failedAttempt.attempt,
    reason: failedAttempt.reason,
    nextAttemptAt: nextAttemptAt.toISOString(),
  });
  return nextAttemptAt;
}

const recordOf = ({ attempt, startedAt, durationMs, status, errorCode, reason }: ExportAttemptFailed): AttemptRecord => ({
  attempt,
  startedAt,
  durationMs,
  reason,
  ...(status === undefined ? {} : { status }),
  ...(errorCode === undefined ? {} : { errorCode }),
});

function supersededWhileWaiting(turn: Turn) {
  const newer = turn.supersededBy();
  if (newer === undefined) throw new Error('an export stops waiting for its circuit only when superseded or stopped');
  return newer;
}

const isDelivered = (result: AttemptResult) => result.kind === 'attempted' && result.outcome.kind === 'delivered';

function deadLettered(
  run: ExportRun,
  target: DeliveryTarget | undefined,
  attempts: readonly AttemptRecord[],
  final: OutcomeEvent,
  at: Date,
): AgentOutputEvent[] {
  if (final.type !== 'ExportFailed') return [final];
  return [deadLetteredEvent(run, target, attempts, final, at), final];
}

/**
 * One attempt within the destination's bound on requests at once and its rate limit
 * (not-attempted when the destination cannot be used). Its outcome goes to the circuit.
 */
async function attemptOnce(run: ExportRun, pass: CircuitPass, options: DurableRetryOptions): Promise<AttemptResult> {
  let outcome: DeliveryOutcome | undefined;
  try {
    const result = await attemptInLane(run, options);
    if (result.kind === 'attempted') outcome = result.outcome;
    return result;
  } finally {
    pass.report(outcome);
  }
}

function attemptInLane(run: ExportRun, options: DurableRetryOptions): Promise<AttemptResult> {
  const { request } = run;
  const bound = options.destinations.flowSettings(request.destinationId).maxInFlight;
  return options.lanes.run(request.destinationId, () => attemptNow(run, options), bound, request.lane);
}

async function attemptNow(run: ExportRun, options: DurableRetryOptions): Promise<AttemptResult> {
  const { request } = run;
  const destination = options.destinations.checkout(request.destinationId);
  if (destination.kind === 'unusable') return { kind: 'not-attempted', reason: destination.reason };
  try {
    const rateTurn = options.flow.rateTurn(request.destinationId, options.signal);
    if (rateTurn !== undefined) await rateTurn;
    const policy = policyOf(options.retry, destination.retry);
    const startedAt = options.now();
    const { exportId, sequence, dataflowId, profileId, destinationId, document } = request;
    const outcome = await deliverExport({ exportId, sequence, dataflowId, profileId, destinationId, document }, destination.target, {
      httpClient: destination.httpClient,
      authorizer: destination.authorizer,
      logger: options.logger,
      signal: options.signal,
    });
    return { kind: 'attempted', outcome, target: destination.target, policy, startedAt };
  } finally {
    destination.release();
  }
}

// A destination configuration's `retry` is one object: the policy is merged once for it, not per attempt.
const policies = new WeakMap<Partial<RetryPolicy>, { readonly agent: Partial<RetryPolicy>; readonly policy: RetryPolicy }>();

function policyOf(agent: Partial<RetryPolicy>, destination: Partial<RetryPolicy>): RetryPolicy {
  const cached = policies.get(destination);
  if (cached?.agent === agent) return cached.policy;
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...definedOnly(agent), ...definedOnly(destination) };
  policies.set(destination, { agent, policy });
  return policy;
}

function definedOnly(policy: Partial<RetryPolicy>): Partial<RetryPolicy> {
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== undefined));
}

/** Sleeps until `until`, or less when `signal` aborts first. */
async function waitUntil(until: Date, now: () => Date, signal: AbortSignal): Promise<void> {
  const ms = until.getTime() - now().getTime();
  if (ms > 0) await delay(ms, undefined, { signal }).catch(() => {});
}
