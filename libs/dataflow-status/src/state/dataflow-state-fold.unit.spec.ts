import { describe, expect, it } from 'vitest';
import { circuitStateOf, openAlertsOf, type AlertEvent } from './dataflow-state-fold.ts';

const alertA = '11111111-1111-4111-8111-111111111111';
const alertB = '22222222-2222-4222-8222-222222222222';
const raised = (alertId: string, rule: 'failure-rate' | 'dead-lettered'): AlertEvent => ({
  type: 'AlertRaised',
  data: { alertId, dataflowId: 'flow', rule, summary: `${rule} crossed`, observed: 2, threshold: 1, raisedAt: '2026-01-01T10:00:00.000Z' },
});
const resolved = (alertId: string): AlertEvent => ({
  type: 'AlertResolved',
  data: { alertId, dataflowId: 'flow', rule: 'failure-rate', summary: 'back to normal', raisedAt: '2026-01-01T10:00:00.000Z', resolvedAt: '2026-01-01T10:05:00.000Z' },
});

describe('dataflow state', () => {
  it('given no circuit event, then the circuit is closed; given an opening, then open with its error; given a closing after, then closed', () => {
    expect(circuitStateOf(undefined)).toEqual({ state: 'closed' });
    const opened = { destinationId: 'dest', failingSince: '2026-01-01T09:59:00.000Z', failures: 12, lastError: 'connection refused (ECONNREFUSED)', openedAt: '2026-01-01T10:00:00.000Z' };
    expect(circuitStateOf({ type: 'CircuitOpened', data: opened })).toEqual({ state: 'open', openedAt: opened.openedAt, failingSince: opened.failingSince, failures: 12, lastError: opened.lastError });
    expect(circuitStateOf({ type: 'CircuitClosed', data: { destinationId: 'dest', openedAt: opened.openedAt, closedAt: '2026-01-01T10:02:00.000Z' } })).toEqual({
      state: 'closed',
      closedAt: '2026-01-01T10:02:00.000Z',
    });
  });

  it('given alerts raised and one resolved, then only the other is open', () => {
    expect(openAlertsOf([raised(alertA, 'failure-rate'), raised(alertB, 'dead-lettered'), resolved(alertA)]).map((alert) => alert.rule)).toEqual(['dead-lettered']);
    expect(openAlertsOf([])).toEqual([]);
  });
});
