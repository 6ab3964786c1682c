import type { AlertRaised, AlertResolved, CircuitClosed, CircuitOpened } from '@spillway/pipeline-events';

export type CircuitEvent = { readonly type: 'CircuitOpened'; readonly data: CircuitOpened } | { readonly type: 'CircuitClosed'; readonly data: CircuitClosed };
export type AlertEvent = { readonly type: 'AlertRaised'; readonly data: AlertRaised } | { readonly type: 'AlertResolved'; readonly data: AlertResolved };

/** The destination's circuit breaker as its latest event says; closed when it never opened. */
export type CircuitState =
  | { readonly state: 'closed'; readonly closedAt?: string }
  | { readonly state: 'open'; readonly openedAt: string; readonly failingSince: string; readonly failures: number; readonly lastError: string };

export function circuitStateOf(latest: CircuitEvent | undefined): CircuitState {
  if (latest === undefined) return { state: 'closed' };
  if (latest.type === 'CircuitClosed') return { state: 'closed', closedAt: latest.data.closedAt };
  const { openedAt, failingSince, failures, lastError } = latest.data;
  return { state: 'open', openedAt, failingSince, failures, lastError };
}

/** The alerts raised and not resolved, oldest first. */
export function openAlertsOf(events: Iterable<AlertEvent>): AlertRaised[] {
  const open = new Map<string, AlertRaised>();
  for (const event of events) {
    if (event.type === 'AlertRaised') open.set(event.data.alertId, event.data);
    else open.delete(event.data.alertId);
  }
  return [...open.values()];
}
