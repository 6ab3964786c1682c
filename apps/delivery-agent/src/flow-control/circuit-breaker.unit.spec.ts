import { describe, expect, it } from 'vitest';
import { admitRequest, closedCircuit, evolveCircuit, type CircuitEvent, type CircuitInput, type CircuitState } from './circuit-breaker.ts';

const settings = { openAfterMs: 10_000, probeEveryMs: 2_000 };
const t0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (seconds: number) => t0 + seconds * 1000;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();
const failed = (seconds: number, probe = false): CircuitInput => ({ type: 'RequestFailed', at: at(seconds), probe, error: 'HTTP 503' });
const answered = (seconds: number): CircuitInput => ({ type: 'RequestAnswered', at: at(seconds) });

/** given `state`, when each input happens in turn, then: the state and every event written. */
function when(state: CircuitState, ...inputs: CircuitInput[]): { state: CircuitState; events: CircuitEvent[] } {
  const events: CircuitEvent[] = [];
  for (const input of inputs) {
    const next = evolveCircuit(state, input, settings, 'dest-1');
    state = next.state;
    events.push(...next.events);
  }
  return { state, events };
}

const openedAt10 = () => when(closedCircuit, failed(0), failed(4), failed(10)).state;

describe('circuit breaker', () => {
  it('given a closed circuit, when requests fail for less than openAfter, then it stays closed and requests go', () => {
    const { state, events } = when(closedCircuit, failed(0), failed(5), failed(9.9));
    expect(state).toMatchObject({ kind: 'closed', failures: 3, failingSince: at(0) });
    expect(events).toEqual([]);
    expect(admitRequest(state, at(9.9))).toEqual({ kind: 'send' });
  });

  it('given failures, when one request is answered, then the run of failures starts again', () => {
    const { state, events } = when(closedCircuit, failed(0), failed(5), answered(6), failed(7), failed(15));
    expect(state).toMatchObject({ kind: 'closed', failures: 2, failingSince: at(7) });
    expect(events).toEqual([]);
  });

  it('given every request failed for openAfter, when the next one fails, then it opens and says since when, how many and the last error', () => {
    const { state, events } = when(closedCircuit, failed(0), failed(4), failed(10));
    expect(events).toEqual([
      { type: 'CircuitOpened', data: { destinationId: 'dest-1', failingSince: iso(0), failures: 3, lastError: 'HTTP 503', openedAt: iso(10) } },
    ]);
    expect(state).toMatchObject({ kind: 'open', nextProbeAt: at(12), probing: false });
  });

  it('given an open circuit, then requests wait until the probe time, one probe goes, and the others wait for its answer', () => {
    const open = openedAt10();
    expect(admitRequest(open, at(11))).toEqual({ kind: 'wait', until: at(12) });
    expect(admitRequest(open, at(12))).toEqual({ kind: 'probe' });
    const probing = when(open, { type: 'ProbeSent', at: at(12) }).state;
    expect(admitRequest(probing, at(13))).toEqual({ kind: 'wait', until: undefined });
  });

  it('given a probe on its way, when it fails, then the circuit stays open and the next probe is probeEvery later', () => {
    const { state, events } = when(openedAt10(), { type: 'ProbeSent', at: at(12) }, failed(12.5, true));
    expect(events).toEqual([]);
    expect(state).toMatchObject({ kind: 'open', probing: false, nextProbeAt: at(14.5), failures: 4 });
  });

  it('given an open circuit, when a request already on its way fails, then the probe schedule does not move', () => {
    const { state } = when(openedAt10(), failed(11));
    expect(state).toMatchObject({ kind: 'open', nextProbeAt: at(12), failures: 4 });
  });

  it('given a probe on its way, when it ends without telling (not sent, certificate error), then another probe goes probeEvery later', () => {
    const { state } = when(openedAt10(), { type: 'ProbeSent', at: at(12) }, { type: 'ProbeInconclusive', at: at(13) });
    expect(state).toMatchObject({ kind: 'open', probing: false, nextProbeAt: at(15) });
  });

  it('given an open circuit, when the probe is answered, then it closes and requests go again', () => {
    const { state, events } = when(openedAt10(), { type: 'ProbeSent', at: at(12) }, answered(12.2));
    expect(events).toEqual([{ type: 'CircuitClosed', data: { destinationId: 'dest-1', openedAt: iso(10), closedAt: iso(12.2) } }]);
    expect(state).toEqual(closedCircuit);
    expect(admitRequest(state, at(12.3))).toEqual({ kind: 'send' });
  });

  it('given an open circuit, when its setting is switched off, then it closes', () => {
    const { state, events } = when(openedAt10(), { type: 'CircuitDisabled', at: at(20) });
    expect(events.map((event) => event.type)).toEqual(['CircuitClosed']);
    expect(state.kind).toBe('closed');
  });

  it('given a restart, when the stream last said opened, then it is open again with its first probe probeEvery after the start', () => {
    const opened: CircuitEvent = { type: 'CircuitOpened', data: { destinationId: 'dest-1', failingSince: iso(0), failures: 3, lastError: 'HTTP 503', openedAt: iso(10) } };
    const { state, events } = when(closedCircuit, { type: 'Restored', at: at(100), event: opened });
    expect(events).toEqual([]);
    expect(state).toEqual({ kind: 'open', openedAt: at(10), failingSince: at(0), failures: 3, lastError: 'HTTP 503', nextProbeAt: at(102), probing: false });
    const closed: CircuitEvent = { type: 'CircuitClosed', data: { destinationId: 'dest-1', openedAt: iso(10), closedAt: iso(20) } };
    expect(when(closedCircuit, { type: 'Restored', at: at(100), event: closed }).state).toEqual(closedCircuit);
  });
});
