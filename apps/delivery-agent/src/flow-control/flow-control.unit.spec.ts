import type { DeliveryOutcome } from '@spillway/delivery';
import { describe, expect, it } from 'vitest';
import type { CircuitEvent } from './circuit-breaker.ts';
import { createFlowControl } from './flow-control.ts';
import type { FlowSettings } from './flow-settings.ts';

const failing: DeliveryOutcome = { kind: 'failed', failure: 'status', status: 503, retryable: true, durationMs: 5 };
const delivered: DeliveryOutcome = { kind: 'delivered', status: 200, durationMs: 5 };
const on: FlowSettings = { circuit: { openAfterMs: 1_000, probeEveryMs: 1_000 }, rateLimit: undefined, maxInFlight: 8 };
const off: FlowSettings = { ...on, circuit: undefined };

/** A flow control on a hand-moved clock, recording the transitions it writes. Only its non-waiting calls are used. */
function given(settings: FlowSettings) {
  let clock = Date.parse('2026-11-22T10:00:00.000Z');
  const world = { settings, transitions: [] as CircuitEvent['type'][] };
  const flow = createFlowControl({
    settingsOf: () => world.settings,
    now: () => new Date(clock),
    onTransition: (_, event) => world.transitions.push(event.type),
  });
  const sendAt = (ms: number, outcome: DeliveryOutcome) => {
    clock += ms;
    const pass = flow.tryAdmit('d');
    pass?.report(outcome);
    return pass;
  };
  return { flow, world, sendAt, advance: (ms: number) => void (clock += ms) };
}

describe('flow control (the shell around the circuit breaker)', () => {
  it('given the circuit off, when every request fails for a long time, then requests keep going and nothing is written', () => {
    const { flow, world, sendAt } = given(off);
    for (let i = 0; i < 10; i++) expect(sendAt(500, failing)).toBeDefined();
    expect(world.transitions).toEqual([]);
    expect(flow.isOpen('d')).toBe(false);
  });

  it('given the circuit on, when requests fail for openAfter, then it opens, lets one probe through at the probe time, and closes on its answer', () => {
    const { flow, world, sendAt, advance } = given(on);
    sendAt(0, failing);
    sendAt(1_000, failing);
    expect(world.transitions).toEqual(['CircuitOpened']);
    expect(flow.tryAdmit('d')).toBeUndefined();
    advance(1_000);
    const probe = flow.tryAdmit('d');
    expect(probe?.probe).toBe(true);
    expect(flow.tryAdmit('d')).toBeUndefined();
    probe?.report(delivered);
    expect(world.transitions).toEqual(['CircuitOpened', 'CircuitClosed']);
    expect(flow.tryAdmit('d')?.probe).toBe(false);
  });

  it('given an open circuit, when the setting is switched off, then the next request goes and the circuit is written closed', () => {
    const { flow, world, sendAt } = given(on);
    sendAt(0, failing);
    sendAt(1_000, failing);
    world.settings = off;
    expect(flow.tryAdmit('d')).toBeDefined();
    expect(world.transitions).toEqual(['CircuitOpened', 'CircuitClosed']);
    expect(flow.openCircuits()).toEqual([]);
  });

  it('given a rate limit of 1 request/s, then the first request goes at once, the next waits, and a wait given up leaves the queue', async () => {
    const { flow } = given({ ...off, rateLimit: { requestsPerSecond: 1 } });
    expect(flow.rateTurn('d', new AbortController().signal)).toBeUndefined();
    const giveUp = new AbortController();
    const waiting = flow.rateTurn('d', giveUp.signal);
    expect(waiting).toBeInstanceOf(Promise);
    giveUp.abort();
    await expect(waiting).rejects.toThrow();
    expect(flow.rateTurn('other', new AbortController().signal)).toBeUndefined();
  });
});
