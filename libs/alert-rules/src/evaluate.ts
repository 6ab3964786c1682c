import type { AlertRaised, AlertResolved, AlertRuleKind } from '@spillway/pipeline-events';
import type { AlertState } from './alert-state.ts';
import { observe, occurredAt, pruneWindows, type AlertInputEvent } from './observe.ts';
import { checkBackfillStalled } from './rules/backfill-stalled.ts';
import { checkDeadLettered } from './rules/dead-lettered.ts';
import { checkDeliveryDelay } from './rules/delivery-delay.ts';
import { checkEndpointUnreachable } from './rules/endpoint-unreachable.ts';
import { checkFailureRate } from './rules/failure-rate.ts';
import type { RuleVerdict } from './rules/verdict.ts';
import type { AlertRules, AlertSubscription } from './subscription.ts';

/** An event (with its store id) or the clock moving on. */
export type AlertInput = { readonly kind: 'event'; readonly eventId: string; readonly event: AlertInputEvent } | { readonly kind: 'tick' };

export type AlertDecision = { readonly kind: 'raise'; readonly alert: AlertRaised } | { readonly kind: 'resolve'; readonly alert: AlertResolved };

export interface EvaluationContext {
  readonly subscription: Pick<AlertSubscription, 'dataflowId' | 'rules'>;
  readonly now: Date;
  /**
   * A UUID that is always the same for the same parts (deterministicEventId): an alert's id comes
   * from what raised it, so deciding again after a restart gives the same id.
   */
  readonly alertIdOf: (...parts: string[]) => string;
}

export interface Evaluation {
  readonly state: AlertState;
  readonly decisions: readonly AlertDecision[];
}

export const alertRuleKinds: readonly AlertRuleKind[] = ['failure-rate', 'dead-lettered', 'delivery-delay', 'endpoint-unreachable', 'backfill-stalled'];

const ruleEnabled = (rules: AlertRules, rule: AlertRuleKind): boolean => {
  switch (rule) {
    case 'failure-rate':
      return rules.failureRate.enabled;
    case 'dead-lettered':
      return rules.deadLettered.enabled;
    case 'delivery-delay':
      return rules.deliveryDelay.enabled;
    case 'endpoint-unreachable':
      return rules.endpointUnreachable.enabled;
    case 'backfill-stalled':
      return rules.backfillStalled.enabled;
    default: {
      const unknown: never = rule;
      throw new Error(`unknown alert rule ${String(unknown)}`);
    }
  }
};

function verdictOf(rule: AlertRuleKind, state: AlertState, rules: AlertRules, now: number): RuleVerdict {
  if (!ruleEnabled(rules, rule)) return { kind: 'clear', summary: 'the rule was turned off' };
  switch (rule) {
    case 'failure-rate':
      return checkFailureRate(state, rules.failureRate);
    case 'dead-lettered':
      return checkDeadLettered(state, rules.deadLettered, now);
    case 'delivery-delay':
      return checkDeliveryDelay(state, rules.deliveryDelay);
    case 'endpoint-unreachable':
      return checkEndpointUnreachable(state);
    case 'backfill-stalled':
      return checkBackfillStalled(state, rules.backfillStalled, now);
    default: {
      const unknown: never = rule;
      throw new Error(`unknown alert rule ${String(unknown)}`);
    }
  }
}

const judgedLateUpToMs = 24 * 3_600_000;

const judgedAt = (now: number, occurred: number): number => (now - occurred > judgedLateUpToMs ? now : Math.min(now, occurred));

/**
 * The alert decider of one dataflow: folds the input into the measurements, asks every rule for
 * its verdict, and raises what is over and not yet raised, resolves what is clear and raised.
 * An alert already raised is never raised again until it is resolved.
 *
 * An event is judged at the time it happened (`now` if that is earlier): read again after the
 * alert manager was down, failures of that time still fill their window and raise, with the time
 * they happened, instead of being older than every window by the time they are read. Events more
 * than `judgedLateUpToMs` old are judged at `now` as before (they fall out of the windows): a
 * manager started on months of history does not notify every incident in it.
 */
export function evaluateAlerts(state: AlertState, input: AlertInput, context: EvaluationContext): Evaluation {
  const { subscription } = context;
  const nowMs = input.kind === 'event' ? judgedAt(context.now.getTime(), occurredAt(input.event)) : context.now.getTime();
  const now = new Date(nowMs);
  const rules = subscription.rules;
  const observed = input.kind === 'event' ? observe(state, input.event) : state;
  const measured = pruneWindows(observed, nowMs, { requestsMs: rules.failureRate.windowSeconds * 1000, delaysMs: rules.deliveryDelay.windowSeconds * 1000 });
  const trigger = input.kind === 'event' ? input.eventId : `tick@${now.toISOString()}`;
  const open = { ...measured.open };
  const decisions: AlertDecision[] = [];
  for (const rule of alertRuleKinds) {
    const verdict = verdictOf(rule, measured, rules, nowMs);
    const raised = open[rule];
    if (verdict.kind === 'over' && !raised) {
      const alertId = context.alertIdOf('alert', subscription.dataflowId, rule, verdict.key ?? trigger);
      const alert: AlertRaised = {
        alertId,
        dataflowId: subscription.dataflowId,
        rule,
        summary: verdict.summary,
        observed: verdict.observed,
        threshold: verdict.threshold,
        raisedAt: now.toISOString(),
      };
      open[rule] = { alertId, raisedAt: alert.raisedAt, summary: verdict.summary };
      decisions.push({ kind: 'raise', alert });
    } else if (verdict.kind === 'clear' && raised) {
      delete open[rule];
      decisions.push({
        kind: 'resolve',
        // Never before the raise: events from services on other machines may carry a clock a little behind.
        alert: { alertId: raised.alertId, dataflowId: subscription.dataflowId, rule, summary: verdict.summary, raisedAt: raised.raisedAt, resolvedAt: new Date(Math.max(nowMs, Date.parse(raised.raisedAt))).toISOString() },
      });
    }
  }
  return { state: decisions.length === 0 ? measured : { ...measured, open }, decisions };
}
