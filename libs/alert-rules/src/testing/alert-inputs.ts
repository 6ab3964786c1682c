import { deterministicEventId } from '@spillway/event-streams';
import type { AlertState } from '../alert-state.ts';
import { initialAlertState } from '../alert-state.ts';
import { evaluateAlerts, type AlertDecision, type AlertInput } from '../evaluate.ts';
import type { AlertInputEvent } from '../observe.ts';
import { parseAlertSubscription, type AlertSubscription, type AlertSubscriptionInput } from '../subscription.ts';

export const dataflowId = 'df-alerts';
export const destinationId = 'dest-alerts';
export const t0 = Date.parse('2026-11-22T10:00:00.000Z');
export const at = (seconds: number): string => new Date(t0 + seconds * 1000).toISOString();

let counter = 0;
const nextUuid = (): string => deterministicEventId('fixture', counter++);

export function subscription(rules: AlertSubscriptionInput['rules'] = {}): AlertSubscription {
  return parseAlertSubscription({ dataflowId, webhook: { url: 'http://127.0.0.1:9/alerts' }, rules });
}

const exportIds = () => ({ exportId: nextUuid(), sequence: 1, dataflowId, destinationId, profileId: 'p1' });

export const inputs = {
  delivered: (seconds: number, delaySeconds = 1): AlertInputEvent => ({
    type: 'ExportDelivered',
    data: { ...exportIds(), attempts: 1, ingestedAt: at(seconds - delaySeconds), status: 200, durationMs: 5, deliveredAt: at(seconds) },
  }),
  attemptFailed: (seconds: number): AlertInputEvent => ({
    type: 'ExportAttemptFailed',
    data: { ...exportIds(), attempt: 1, startedAt: at(seconds), durationMs: 5, status: 503, reason: 'HTTP 503', nextAttemptAt: at(seconds + 1) },
  }),
  failed: (seconds: number, attempts = 3): AlertInputEvent => ({
    type: 'ExportFailed',
    data: { ...exportIds(), attempts, ingestedAt: at(seconds - 5), status: 503, reason: 'HTTP 503 after 3 attempts', failedAt: at(seconds) },
  }),
  deadLettered: (seconds: number): AlertInputEvent => {
    const ids = exportIds();
    return {
      type: 'ExportDeadLettered',
      data: {
        ...ids,
        export: { ...ids, triggers: ['attribute'], lane: 'live', document: {}, ingestedAt: at(seconds - 10), decidedAt: at(seconds - 10) },
        attempts: [],
        status: 400,
        reason: 'HTTP 400 (not retryable)',
        deadLetteredAt: at(seconds),
      },
    };
  },
  circuitOpened: (seconds: number): AlertInputEvent => ({
    type: 'CircuitOpened',
    data: { destinationId, failingSince: at(seconds - 60), failures: 12, lastError: 'ECONNREFUSED', openedAt: at(seconds) },
  }),
  circuitClosed: (seconds: number, openedSeconds: number): AlertInputEvent => ({
    type: 'CircuitClosed',
    data: { destinationId, openedAt: at(openedSeconds), closedAt: at(seconds) },
  }),
  backfillStarted: (seconds: number, backfillId: string): AlertInputEvent => ({
    type: 'BackfillStarted',
    data: { backfillId, dataflowId, partition: '0/1', audienceIds: ['a1'], configStream: `dataflow-${dataflowId}`, configEventId: 'c1', upToPosition: '10/10', startedAt: at(seconds) },
  }),
  backfillProgress: (seconds: number, backfillId: string, scanned: number): AlertInputEvent => ({
    type: 'BackfillProgress',
    data: { backfillId, dataflowId, partition: '0/1', scanned, exported: scanned, position: '20/20', ratePerSecond: 10, at: at(seconds) },
  }),
  backfillCompleted: (seconds: number, backfillId: string): AlertInputEvent => ({
    type: 'BackfillCompleted',
    data: { backfillId, dataflowId, partition: '0/1', scanned: 100, exported: 100, completedAt: at(seconds) },
  }),
};

/** One step: an event happening at `seconds` (and evaluated then), or the clock reaching `seconds`. */
export type Step = { readonly seconds: number; readonly event?: AlertInputEvent };
export const event = (seconds: number, input: AlertInputEvent): Step => ({ seconds, event: input });
export const tick = (seconds: number): Step => ({ seconds });

/** Runs the steps through the evaluator: the state after them, and every decision on the way. */
export function run(steps: readonly Step[], config: AlertSubscription = subscription(), from: AlertState = initialAlertState) {
  let state = from;
  const decisions: AlertDecision[] = [];
  steps.forEach((step, index) => {
    const input: AlertInput = step.event ? { kind: 'event', eventId: deterministicEventId('input', index, step.seconds), event: step.event } : { kind: 'tick' };
    const result = evaluateAlerts(state, input, { subscription: config, now: new Date(t0 + step.seconds * 1000), alertIdOf: deterministicEventId });
    state = result.state;
    decisions.push(...result.decisions);
  });
  return { state, decisions, kinds: decisions.map((decision) => `${decision.kind} ${decision.alert.rule}`) };
}

export const repeat = (count: number, make: (index: number) => Step): Step[] => Array.from({ length: count }, (_, index) => make(index));
