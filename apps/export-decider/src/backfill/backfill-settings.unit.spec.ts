import { describe, expect, it } from 'vitest';
import { defaultBackfillRate, InvalidBackfillRateError, parseBackfillRate } from './backfill-settings.ts';

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
