import { describe, expect, it } from 'vitest';
import { createLiveFirstPace } from './live-first-pace.ts';

describe('the backfill pace gives way to live traffic', () => {
  it('given no live traffic, runs at the configured rate', () => {
    const pace = createLiveFirstPace({ ceilingPerSecond: 2000 }, 0);
    expect(pace.current(0)).toBe(2000);
    expect(pace.current(60_000)).toBe(2000);
  });

  it('given live changes arriving on time, stays at the configured rate', () => {
    const pace = createLiveFirstPace({ ceilingPerSecond: 2000, targetLagMs: 250 }, 0);
    for (let at = 0; at < 5_000; at += 10) pace.observeLiveLag(40, at);
    expect(pace.current(5_000)).toBe(2000);
  });

  it('when a live change arrives just over the target, takes a tenth off the pace', () => {
    const pace = createLiveFirstPace({ ceilingPerSecond: 2000, targetLagMs: 250 }, 0);
    pace.observeLiveLag(260, 0);
    expect(pace.current(0)).toBe(1800);
  });

  it('when a live change arrives later, steps down as deep as it was late, halving at most', () => {
    const pace = createLiveFirstPace({ ceilingPerSecond: 2000, targetLagMs: 250 }, 0);
    pace.observeLiveLag(400, 0);
    expect(pace.current(0)).toBe(1250);
    pace.observeLiveLag(5_000, 1_000);
    // A second without a late change climbed it to 1,350 first.
    expect(pace.current(1_000)).toBe(675);
  });

  it('steps once a second however many late changes arrive meanwhile, down to the floor', () => {
    const pace = createLiveFirstPace({ ceilingPerSecond: 2000, targetLagMs: 250 }, 0);
    for (let at = 0; at < 1_000; at += 10) pace.observeLiveLag(900, at);
    expect(pace.current(999)).toBe(1000);
    for (let at = 1_000; at < 20_000; at += 100) pace.observeLiveLag(900, at);
    expect(pace.current(20_000)).toBe(20);
  });

  it('then climbs back by a twentieth of the rate per second once live changes are on time again', () => {
    const pace = createLiveFirstPace({ ceilingPerSecond: 2000, targetLagMs: 250 }, 0);
    pace.observeLiveLag(900, 0);
    expect(pace.current(0)).toBe(1000);
    expect(pace.current(999)).toBe(1000);
    expect(pace.current(1_000)).toBe(1100);
    pace.observeLiveLag(30, 5_500);
    expect(pace.current(5_500)).toBe(1500);
    expect(pace.current(60_000)).toBe(2000);
  });
});
