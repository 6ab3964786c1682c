import type { CircuitClosed, CircuitOpened } from '@spillway/pipeline-events';

/**
 * The circuit breaker of one destination, as plain functions of (state, input, settings): no
 * clock, no timers, no store. Times are epoch milliseconds handed in by the caller.
 *
 * Closed: requests go. A run of requests that all failed (retryable failures only) that has
 * lasted `openAfterMs` opens it. Open: nothing goes but one probe every `probeEveryMs`; any
 * answer from the endpoint (a probe's, or one of a request already on its way) closes it.
 */
export interface CircuitSettings {
  readonly openAfterMs: number;
  readonly probeEveryMs: number;
}

export type CircuitState =
  | { readonly kind: 'closed'; readonly failures: number; readonly failingSince?: number; readonly lastError?: string }
  | {
      readonly kind: 'open';
      readonly openedAt: number;
      readonly failingSince: number;
      readonly failures: number;
      readonly lastError: string;
      readonly nextProbeAt: number;
      /** A probe is on its way: no other one goes until it is answered or given up. */
      readonly probing: boolean;
    };

export const closedCircuit: CircuitState = { kind: 'closed', failures: 0 };

export type CircuitEvent = { readonly type: 'CircuitOpened'; readonly data: CircuitOpened } | { readonly type: 'CircuitClosed'; readonly data: CircuitClosed };

export type CircuitInput =
  /** The endpoint answered: delivered, or a 4xx that proves it is up. */
  | { readonly type: 'RequestAnswered'; readonly at: number }
  /** A retryable failure: 5xx, 408, 429, timeout, connection error. */
  | { readonly type: 'RequestFailed'; readonly at: number; readonly probe: boolean; readonly error: string }
  /** A probe that ended without telling whether the endpoint is up (not sent, or a failure no retry would cure). */
  | { readonly type: 'ProbeInconclusive'; readonly at: number }
  | { readonly type: 'ProbeSent'; readonly at: number }
  /** The destination's circuit setting was switched off. */
  | { readonly type: 'CircuitDisabled'; readonly at: number }
  /** The last event of `circuits-<destinationId>`, read at start. */
  | { readonly type: 'Restored'; readonly at: number; readonly event: CircuitEvent };

export interface CircuitStep {
  readonly state: CircuitState;
  /** To write to `circuits-<destinationId>`, in order. */
  readonly events: readonly CircuitEvent[];
}

export type CircuitAdmission =
  | { readonly kind: 'send' }
  | { readonly kind: 'probe' }
  /** `until` undefined: a probe is on its way, wait for its answer. */
  | { readonly kind: 'wait'; readonly until: number | undefined };

export function admitRequest(state: CircuitState, now: number): CircuitAdmission {
  if (state.kind === 'closed') return { kind: 'send' };
  if (state.probing) return { kind: 'wait', until: undefined };
  return now >= state.nextProbeAt ? { kind: 'probe' } : { kind: 'wait', until: state.nextProbeAt };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function evolveCircuit(state: CircuitState, input: CircuitInput, settings: CircuitSettings, destinationId: string): CircuitStep {
  const unchanged: CircuitStep = { state, events: [] };
  switch (input.type) {
    case 'RequestAnswered':
    case 'CircuitDisabled':
      return state.kind === 'open' ? close(state, input.at, destinationId) : { state: closedCircuit, events: [] };
    case 'RequestFailed':
      return failed(state, input, settings, destinationId);
    case 'ProbeInconclusive':
      return state.kind === 'open' ? { state: { ...state, probing: false, nextProbeAt: input.at + settings.probeEveryMs }, events: [] } : unchanged;
    case 'ProbeSent':
      return state.kind === 'open' ? { state: { ...state, probing: true }, events: [] } : unchanged;
    case 'Restored':
      return { state: restored(input.event, input.at, settings), events: [] };
    default:
      return assertNever(input);
  }
}

function failed(state: CircuitState, input: Extract<CircuitInput, { type: 'RequestFailed' }>, settings: CircuitSettings, destinationId: string): CircuitStep {
  const failures = state.failures + 1;
  if (state.kind === 'open') {
    // A request that was already on its way when the circuit opened does not move the probe schedule.
    const nextProbeAt = input.probe ? input.at + settings.probeEveryMs : state.nextProbeAt;
    return { state: { ...state, failures, lastError: input.error, probing: input.probe ? false : state.probing, nextProbeAt }, events: [] };
  }
  const failingSince = state.failingSince ?? input.at;
  if (input.at - failingSince < settings.openAfterMs) return { state: { kind: 'closed', failures, failingSince, lastError: input.error }, events: [] };
  const opened: CircuitOpened = { destinationId, failingSince: iso(failingSince), failures, lastError: input.error, openedAt: iso(input.at) };
  return {
    state: { kind: 'open', openedAt: input.at, failingSince, failures, lastError: input.error, nextProbeAt: input.at + settings.probeEveryMs, probing: false },
    events: [{ type: 'CircuitOpened', data: opened }],
  };
}

function close(state: Extract<CircuitState, { kind: 'open' }>, at: number, destinationId: string): CircuitStep {
  return { state: closedCircuit, events: [{ type: 'CircuitClosed', data: { destinationId, openedAt: iso(state.openedAt), closedAt: iso(at) } }] };
}

/** After a restart an open circuit stays open; its probe schedule starts again from the start. */
function restored(event: CircuitEvent, at: number, settings: CircuitSettings): CircuitState {
  if (event.type === 'CircuitClosed') return closedCircuit;
  const { data } = event;
  return {
    kind: 'open',
    openedAt: Date.parse(data.openedAt),
    failingSince: Date.parse(data.failingSince),
    failures: data.failures,
    lastError: data.lastError,
    nextProbeAt: at + settings.probeEveryMs,
    probing: false,
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected circuit input ${JSON.stringify(value)}`);
}
