import { deterministicEventId } from '@spillway/event-streams';
import { evaluateAlerts, parseAlertSubscription } from '@spillway/alert-rules';
import { describe, expect, it } from 'vitest';
import { emptyManagerState, forgetUnsubscribed, keepAlertState, notificationTargets, routeEvent, tickEvaluations, withRulesOff, type InputEvent, type ManagerState } from './manager-state.ts';

const subscription = (dataflowId: string) => parseAlertSubscription({ dataflowId, webhook: { url: 'https://ops.example.com/alerts' } });
const configured = (dataflowId: string, destinationId: string): InputEvent => ({ type: 'DataflowConfigured', data: { dataflowId, destinationId, audiences: [], attributes: [], enabled: true } });
const subscribed = (dataflowId: string): InputEvent => ({ type: 'AlertSubscriptionConfigured', data: subscription(dataflowId) });
const opened = (destinationId: string): InputEvent => ({
  type: 'CircuitOpened',
  data: { destinationId, failingSince: '2026-11-22T10:00:00.000Z', failures: 4, lastError: 'ECONNREFUSED', openedAt: '2026-11-22T10:01:00.000Z' },
});

/** Given these events routed in order (evaluations dropped), the known state. */
function given(...events: InputEvent[]): ManagerState {
  return events.reduce((known, event, index) => routeEvent(known, deterministicEventId('given', index), event).known, emptyManagerState());
}

describe('routing events to the subscribed dataflows', () => {
  it('a circuit event goes to every subscribed dataflow of that destination, and to no other', () => {
    const known = given(configured('df-a', 'dest-1'), configured('df-b', 'dest-1'), configured('df-c', 'dest-2'), configured('df-d', 'dest-1'), subscribed('df-a'), subscribed('df-b'), subscribed('df-c'));
    const { evaluations } = routeEvent(known, 'e1', opened('dest-1'));
    expect(evaluations.map((evaluation) => evaluation.dataflowId)).toEqual(['df-a', 'df-b']);
  });

  it('a delivery event goes to its dataflow only when that dataflow is subscribed', () => {
    const known = given(subscribed('df-a'));
    const failed = (dataflowId: string): InputEvent => ({
      type: 'ExportAttemptFailed',
      data: { exportId: deterministicEventId('x'), sequence: 1, dataflowId, destinationId: 'dest-1', profileId: 'p', attempt: 1, startedAt: '2026-11-22T10:00:00.000Z', durationMs: 1, reason: 'HTTP 503', nextAttemptAt: '2026-11-22T10:00:01.000Z' },
    });
    expect(routeEvent(known, 'e1', failed('df-a')).evaluations).toHaveLength(1);
    expect(routeEvent(known, 'e2', failed('df-z')).evaluations).toEqual([]);
  });

  it('a subscription written while its circuit is open evaluates that opening', () => {
    const known = given(configured('df-a', 'dest-1'), opened('dest-1'));
    const [evaluation] = routeEvent(known, 'e1', subscribed('df-a')).evaluations;
    expect(evaluation?.input).toMatchObject({ kind: 'event', event: { type: 'CircuitOpened', data: { destinationId: 'dest-1' } } });
  });

  it('a subscription starts from the backfills seen before it: a running one can stall, the history it exported is no delay', () => {
    const backfill = { backfillId: 'b1', dataflowId: 'df-a', partition: '0/1' };
    const started: InputEvent = {
      type: 'BackfillStarted',
      data: { ...backfill, audienceIds: ['a1'], configStream: 'dataflow-df-a', configEventId: 'c1', upToPosition: '10/10', startedAt: '2026-11-22T10:00:00.000Z' },
    };
    const progress: InputEvent = { type: 'BackfillProgress', data: { ...backfill, scanned: 5, exported: 5, position: '5/5', ratePerSecond: 1, at: '2026-11-22T10:00:05.000Z' } };
    const [evaluation] = routeEvent(given(started, progress), 'e1', subscribed('df-a')).evaluations;
    expect(evaluation?.state.historyBefore).toBe(Date.parse('2026-11-22T10:00:00.000Z'));
    const { decisions } = evaluateAlerts(evaluation!.state, evaluation!.input, { subscription: evaluation!.subscription, now: new Date('2026-11-22T10:10:00.000Z'), alertIdOf: deterministicEventId });
    expect(decisions.map((decision) => `${decision.kind} ${decision.alert.rule}`)).toEqual(['raise backfill-stalled']);

    const completed: InputEvent = { type: 'BackfillCompleted', data: { ...backfill, scanned: 9, exported: 9, completedAt: '2026-11-22T10:00:09.000Z' } };
    const [afterCompletion] = routeEvent(given(started, progress, completed), 'e2', subscribed('df-a')).evaluations;
    expect(afterCompletion?.state.backfills).toEqual({});
  });

  it('a dataflow moved off (or deleted from) a destination whose circuit is open resolves its endpoint-unreachable alert, and one moved onto it raises', () => {
    const opening = opened('dest-1');
    const raisedState = (known: ManagerState) => {
      const [evaluation] = routeEvent(known, 'e1', opening).evaluations;
      return evaluateAlerts(evaluation!.state, evaluation!.input, { subscription: evaluation!.subscription, now: new Date('2026-11-22T10:01:00.000Z'), alertIdOf: deterministicEventId }).state;
    };
    const before = given(configured('df-a', 'dest-1'), subscribed('df-a'));
    const known = keepAlertState(routeEvent(before, 'e1', opening).known, 'df-a', raisedState(before));
    const kindsAfter = (routed: ReturnType<typeof routeEvent>) =>
      routed.evaluations.flatMap((evaluation) => evaluateAlerts(evaluation.state, evaluation.input, { subscription: evaluation.subscription, now: new Date('2026-11-22T10:02:00.000Z'), alertIdOf: deterministicEventId }).decisions.map((decision) => `${decision.kind} ${decision.alert.rule}`));
    expect(kindsAfter(routeEvent(known, 'e2', configured('df-a', 'dest-2')))).toEqual(['resolve endpoint-unreachable']);
    expect(kindsAfter(routeEvent(known, 'e2', configured('df-a', 'dest-1')))).toEqual([]);
    const elsewhere = given(configured('df-b', 'dest-2'), subscribed('df-b'), opening);
    expect(kindsAfter(routeEvent(elsewhere, 'e3', configured('df-b', 'dest-1')))).toEqual(['raise endpoint-unreachable']);
    // Deleted, it sends nowhere: the alert resolves rather than wait for a closing it would not hear of.
    expect(kindsAfter(routeEvent(known, 'e4', { type: 'DataflowDeleted', data: { dataflowId: 'df-a' } }))).toEqual(['resolve endpoint-unreachable']);
  });

  it('a closed circuit is forgotten', () => {
    const known = given(opened('dest-1'), { type: 'CircuitClosed', data: { destinationId: 'dest-1', openedAt: '2026-11-22T10:01:00.000Z', closedAt: '2026-11-22T10:02:00.000Z' } });
    expect(known.openCircuits).toEqual({});
  });

  it('deleting a subscription evaluates once with every rule off, then forgets the dataflow', () => {
    const known = given(subscribed('df-a'));
    const { known: after, evaluations } = routeEvent(known, 'e1', { type: 'AlertSubscriptionDeleted', data: { dataflowId: 'df-a' } });
    expect(Object.values(evaluations[0]?.subscription.rules ?? {}).map((rule) => rule.enabled)).toEqual([false, false, false, false, false]);
    expect(after.subscriptions).toEqual({});
    expect(tickEvaluations(after)).toEqual([]);
    expect(keepAlertState(after, 'df-a', evaluations[0]!.state)).toBe(after);
  });

  it('an unsubscribed dataflow keeps its last subscription as a notification target until its decisions are told, or it subscribes again', () => {
    const deleted: InputEvent = { type: 'AlertSubscriptionDeleted', data: { dataflowId: 'df-a' } };
    const after = given(subscribed('df-a'), subscribed('df-b'), deleted);
    expect(after.unsubscribed).toEqual({ 'df-a': withRulesOff(subscription('df-a')) });
    expect(notificationTargets(after).map((target) => target.dataflowId)).toEqual(['df-b', 'df-a']);
    expect(forgetUnsubscribed(after, 'df-a').unsubscribed).toEqual({});
    expect(forgetUnsubscribed(after, 'df-b')).toBe(after);
    expect(given(subscribed('df-a'), deleted, subscribed('df-a')).unsubscribed).toEqual({});
    expect(given(deleted).unsubscribed).toEqual({});
  });
});
