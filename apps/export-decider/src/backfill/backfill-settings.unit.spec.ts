import { describe, expect, it } from 'vitest';
import { defaultBackfillRate, defaultLiveLagTargetMs, InvalidBackfillRateError, parseBackfillRate, parseLiveLagTarget } from './backfill-settings.ts';

describe('SPILLWAY_BACKFILL_RATE', () => {
  it('defaults, takes profiles per second or off', () => {
    expect(parseBackfillRate(undefined)).toBe(defaultBackfillRate);
    expect(parseBackfillRate('250')).toBe(250);
    expect(parseBackfillRate('off')).toBe('off');
  });

  it('refuses what is not a positive rate, naming the variable', () => {
    expect(() => parseBackfillRate('0')).toThrow(InvalidBackfillRateError);
    expect(() => parseBackfillRate('fast')).toThrow(/SPILLWAY_BACKFILL_RATE/);
  });
});

describe('SPILLWAY_BACKFILL_LIVE_LAG_MS', () => {
  it('defaults, takes milliseconds or off, and refuses anything else naming the variable', () => {
    expect(parseLiveLagTarget(undefined)).toBe(defaultLiveLagTargetMs);
    expect(parseLiveLagTarget('500')).toBe(500);
    expect(parseLiveLagTarget('off')).toBe('off');
    expect(() => parseLiveLagTarget('-1')).toThrow(/SPILLWAY_BACKFILL_LIVE_LAG_MS/);
  });
});
