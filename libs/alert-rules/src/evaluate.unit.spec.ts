import { deterministicEventId } from '@spillway/event-streams';
import { describe, expect, it } from 'vitest';
import { alertStateSchema } from './alert-state.ts';
import { at, event, inputs, repeat, run, subscription, tick } from './testing/alert-inputs.ts';

// 20 requests at second 0..19, the first `failures` of them failed.
const traffic = (failures: number, from = 0) =>
  repeat(20, (i) => event(from + i, i < failures ? inputs.attemptFailed(from + i) : inputs.delivered(from + i)));

describe('failure-rate (default: > 0.1 over 300 s, at least 20 requests)', () => {
  it('raises when more than 10% of at least 20 requests failed, with the ratio observed', () => {
    const { decisions, kinds } = run(traffic(3));
    expect(kinds).toEqual(['raise failure-rate']);
    expect(decisions[0]?.alert).toMatchObject({ dataflowId: 'df-alerts', observed: 0.15, threshold: 0.1 });
    expect(decisions[0]?.alert.summary).toBe('failure rate 0.15 (3 of 20 requests) over the last 300 s is above 0.1');
  });

  it('does not raise below the minimum number of requests, however bad the ratio', () => {
    expect(run(repeat(19, (i) => event(i, inputs.attemptFailed(i)))).decisions).toEqual([]);
  });

  it('does not raise at exactly the threshold', () => {
    expect(run(traffic(2)).decisions).toEqual([]);
  });

  it('counts a final ExportFailed as a failed request, but not one that made no attempt', () => {
    expect(run(repeat(20, (i) => event(i, i < 3 ? inputs.failed(i) : inputs.delivered(i)))).kinds).toEqual(['raise failure-rate']);
    expect(run(repeat(20, (i) => event(i, i < 3 ? inputs.failed(i, 0) : inputs.delivered(i)))).kinds).toEqual([]);
  });

  it('does not raise again while raised, however many more failures come', () => {
    const { kinds } = run([...traffic(3), ...repeat(30, (i) => event(20 + i, inputs.attemptFailed(20 + i)))]);
    expect(kinds).toEqual(['raise failure-rate']);
  });

  it('resolves once the failures left the window, and raises a new alert (new id) when it happens again', () => {
    const { decisions, kinds } = run([...traffic(3), tick(330), ...traffic(3, 400)]);
    expect(kinds).toEqual(['raise failure-rate', 'resolve failure-rate', 'raise failure-rate']);
    const [raised, resolved, again] = decisions;
    expect(resolved?.alert.alertId).toBe(raised?.alert.alertId);
    expect(resolved?.alert).toMatchObject({ raisedAt: raised?.alert.raisedAt, resolvedAt: '2026-11-22T10:05:30.000Z' });
    expect(again?.alert.alertId).not.toBe(raised?.alert.alertId);
  });

  it('raises for failures read an hour late (the manager was down meanwhile), at the time they happened, and resolves on the clock once caught up', () => {
    const readLate = traffic(3).map((step) => ({ ...step, seconds: 3_600 }));
    const { decisions, kinds } = run([...readLate, tick(3_601)]);
    expect(kinds).toEqual(['raise failure-rate', 'resolve failure-rate']);
    expect(decisions[0]?.alert.raisedAt).toBe(at(19));
    expect(decisions[1]?.alert).toMatchObject({ raisedAt: at(19), resolvedAt: at(3_601) });
  });

  it('never resolves before it was raised, when a later event carries an earlier time (another machine\'s clock)', () => {
    const { decisions } = run([...traffic(3), ...repeat(10, (i) => event(20 + i, inputs.delivered(10)))]);
    expect(decisions.map((decision) => decision.kind)).toEqual(['raise', 'resolve']);
    expect(decisions[1]?.alert).toMatchObject({ raisedAt: at(19), resolvedAt: at(19) });
  });

  it('resolves when successes bring the ratio down to the threshold', () => {
    expect(run([...traffic(3), ...repeat(10, (i) => event(20 + i, inputs.delivered(20 + i)))]).kinds).toEqual(['raise failure-rate', 'resolve failure-rate']);
  });
});

describe('dead-lettered (default: any dead letter, resolved after 900 s without one)', () => {
  it('raises on the first dead letter, naming its reason', () => {
    const { decisions } = run([event(10, inputs.deadLettered(10))]);
    expect(decisions.map((decision) => decision.alert)).toMatchObject([{ rule: 'dead-lettered', observed: 1, threshold: 0, summary: 'an export was dead-lettered: HTTP 400 (not retryable)' }]);
  });

  it('does not raise again for more dead letters while raised', () => {
    expect(run([event(10, inputs.deadLettered(10)), event(20, inputs.deadLettered(20)), tick(500)]).kinds).toEqual(['raise dead-lettered']);
  });

  it('resolves 900 s after the last dead letter, not after the first', () => {
    const steps = [event(0, inputs.deadLettered(0)), event(600, inputs.deadLettered(600)), tick(1000), tick(1499)];
    expect(run(steps).kinds).toEqual(['raise dead-lettered']);
    expect(run([...steps, tick(1500)]).kinds).toEqual(['raise dead-lettered', 'resolve dead-lettered']);
  });

  it('raises for a dead letter read late (the manager catching up after it was down), at the time it happened', () => {
    const { decisions } = run([{ seconds: 1000, event: inputs.deadLettered(0) }]);
    expect(decisions.map((decision) => [decision.kind, decision.alert.rule, decision.alert.raisedAt])).toEqual([['raise', 'dead-lettered', at(0)]]);
  });

  it('does not raise for a dead letter read more than a day late (history the manager was never running for)', () => {
    expect(run([{ seconds: 24 * 3_600 + 1, event: inputs.deadLettered(0) }]).decisions).toEqual([]);
    expect(run([{ seconds: 24 * 3_600, event: inputs.deadLettered(0) }]).kinds).toEqual(['raise dead-lettered']);
  });
});

describe('delivery-delay (default: p95 > 60 s over 300 s, at least 10 deliveries)', () => {
  const slow = (from: number, count: number, delaySeconds: number) => repeat(count, (i) => event(from + i, inputs.delivered(from + i, delaySeconds)));

  it('raises when the p95 delay of at least 10 deliveries is above 60 s, observed in seconds', () => {
    const { decisions, kinds } = run(slow(0, 10, 90));
    expect(kinds).toEqual(['raise delivery-delay']);
    expect(decisions[0]?.alert).toMatchObject({ observed: 90, threshold: 60, summary: 'p95 delivery delay 90 s (10 deliveries) over the last 300 s is above 60 s' });
  });

  it('does not raise when only a few deliveries (under 5%) are slow', () => {
    expect(run([...slow(0, 19, 1), ...slow(19, 1, 90)]).decisions).toEqual([]);
  });

  it('does not raise again while raised', () => {
    expect(run([...slow(0, 10, 90), ...slow(10, 50, 120)]).kinds).toEqual(['raise delivery-delay']);
  });

  it('resolves when fast deliveries bring the p95 under the threshold', () => {
    expect(run([...slow(0, 10, 90), ...slow(10, 200, 1)]).kinds).toEqual(['raise delivery-delay', 'resolve delivery-delay']);
  });

  it('resolves when the slow deliveries left the window', () => {
    expect(run([...slow(0, 10, 90), tick(200), tick(310)]).kinds).toEqual(['raise delivery-delay', 'resolve delivery-delay']);
  });

  it('does not count profiles ingested before the latest backfill started (history it exported), but counts live ones after it', () => {
    const backfill = [event(100, inputs.backfillStarted(100, 'b1'))];
    expect(run([...backfill, ...slow(101, 20, 3600)]).decisions).toEqual([]);
    expect(run([...backfill, ...slow(200, 10, 90)]).kinds).toEqual(['raise delivery-delay']);
  });

  it('does not count replayed dead letters, delivered when a user asked for them', () => {
    const replayed = repeat(20, (i) => {
      const delivered = inputs.delivered(100 + i, 3600);
      return event(100 + i, delivered.type === 'ExportDelivered' ? { ...delivered, data: { ...delivered.data, replayId: deterministicEventId('replay', 1) } } : delivered);
    });
    expect(run(replayed).decisions).toEqual([]);
  });

  it('still counts the deliveries of history as requests for the failure rate', () => {
    const failures = repeat(3, (i) => event(101 + i, inputs.attemptFailed(101 + i)));
    expect(run([event(100, inputs.backfillStarted(100, 'b1')), ...failures, ...slow(110, 17, 3600)]).kinds).toEqual(['raise failure-rate']);
  });
});

describe('endpoint-unreachable (while the circuit is open)', () => {
  it('raises when the circuit opens, with the failures and the last error', () => {
    const { decisions } = run([event(5, inputs.circuitOpened(5))]);
    expect(decisions.map((decision) => decision.alert)).toMatchObject([
      { rule: 'endpoint-unreachable', observed: 12, summary: 'the endpoint is unreachable (circuit open after 12 failed requests; last: ECONNREFUSED)' },
    ]);
  });

  it('does not raise again while the circuit stays open, whatever time passes', () => {
    expect(run([event(5, inputs.circuitOpened(5)), tick(100), tick(10_000), event(10_001, inputs.circuitOpened(5))]).kinds).toEqual(['raise endpoint-unreachable']);
  });

  it('resolves when the circuit closes', () => {
    const { decisions } = run([event(5, inputs.circuitOpened(5)), event(60, inputs.circuitClosed(60, 5))]);
    expect(decisions.map((decision) => `${decision.kind} ${decision.alert.summary}`)).toEqual([
      'raise the endpoint is unreachable (circuit open after 12 failed requests; last: ECONNREFUSED)',
      'resolve the endpoint answers again (circuit closed)',
    ]);
  });

  it('the same opening gives the same alert id, whatever triggered the decision (a restart decides the same)', () => {
    const first = run([event(5, inputs.circuitOpened(5))]).decisions[0];
    const second = run([tick(1), event(5, inputs.circuitOpened(5))]).decisions[0];
    expect(second?.alert.alertId).toBe(first?.alert.alertId);
  });
});

describe('backfill-stalled (default: running with no progress for 300 s)', () => {
  it('raises 300 s after the last progress, naming the backfill and the idle time', () => {
    const steps = [event(0, inputs.backfillStarted(0, 'b1')), event(60, inputs.backfillProgress(60, 'b1', 10)), tick(359)];
    expect(run(steps).decisions).toEqual([]);
    const { decisions } = run([...steps, tick(360)]);
    expect(decisions.map((decision) => decision.alert)).toMatchObject([{ rule: 'backfill-stalled', observed: 300, threshold: 300, summary: 'backfill b1 (partition 0/1) made no progress for 300 s' }]);
  });

  it('does not raise again while still stalled', () => {
    expect(run([event(0, inputs.backfillStarted(0, 'b1')), tick(300), tick(600), tick(900)]).kinds).toEqual(['raise backfill-stalled']);
  });

  it('resolves when progress resumes', () => {
    expect(run([event(0, inputs.backfillStarted(0, 'b1')), tick(300), event(320, inputs.backfillProgress(320, 'b1', 5))]).kinds).toEqual([
      'raise backfill-stalled',
      'resolve backfill-stalled',
    ]);
  });

  it('resolves when the backfill completes, and a completed backfill never stalls', () => {
    expect(run([event(0, inputs.backfillStarted(0, 'b1')), tick(300), event(320, inputs.backfillCompleted(320, 'b1')), tick(2000)]).kinds).toEqual([
      'raise backfill-stalled',
      'resolve backfill-stalled',
    ]);
  });

  it('the same stall gives the same alert id on whichever tick sees it', () => {
    const first = run([event(0, inputs.backfillStarted(0, 'b1')), tick(300)]).decisions[0];
    const later = run([event(0, inputs.backfillStarted(0, 'b1')), tick(450)]).decisions[0];
    expect(later?.alert.alertId).toBe(first?.alert.alertId);
  });
});

describe('settings', () => {
  it('a rule turned off never raises, and resolves its open alert', () => {
    expect(run([event(5, inputs.circuitOpened(5))], subscription({ endpointUnreachable: { enabled: false } })).decisions).toEqual([]);
    const raised = run([event(5, inputs.circuitOpened(5))]);
    const off = run([tick(6)], subscription({ endpointUnreachable: { enabled: false } }), raised.state);
    expect(off.decisions.map((decision) => `${decision.kind} ${decision.alert.summary}`)).toEqual(['resolve the rule was turned off']);
  });

  it('thresholds and windows follow the subscription', () => {
    expect(run(traffic(2), subscription({ failureRate: { threshold: 0.05, minRequests: 5 } })).kinds).toEqual(['raise failure-rate']);
    expect(run([event(0, inputs.deadLettered(0)), tick(60)], subscription({ deadLettered: { quietSeconds: 60 } })).kinds).toEqual(['raise dead-lettered', 'resolve dead-lettered']);
  });

  it('fills in every default', () => {
    expect(subscription().rules).toEqual({
      failureRate: { enabled: true, threshold: 0.1, windowSeconds: 300, minRequests: 20 },
      deadLettered: { enabled: true, quietSeconds: 900 },
      deliveryDelay: { enabled: true, thresholdSeconds: 60, windowSeconds: 300, minDeliveries: 10 },
      endpointUnreachable: { enabled: true },
      backfillStalled: { enabled: true, stalledSeconds: 300 },
    });
  });

  it('the state is plain JSON that reads back the same (the alert manager stores it)', () => {
    const { state } = run([...traffic(3), event(30, inputs.circuitOpened(30)), event(31, inputs.backfillStarted(31, 'b1')), event(32, inputs.deadLettered(32))]);
    expect(alertStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });
});
