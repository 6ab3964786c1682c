import { describe, expect, it } from 'vitest';
import { formatIsoSeconds, normalizeQualificationTime, parseIsoInstant } from './timestamps.ts';

describe('qualification times', () => {
  it.each([
    ['2019-04-15T02:41:50Z', '2019-04-15T02:41:50Z'],
    ['2019-04-15T02:41:50.999Z', '2019-04-15T02:41:50Z'],
    ['2019-04-15T02:41:50+0000', '2019-04-15T02:41:50Z'],
    ['2019-04-15T04:41:50+02:00', '2019-04-15T02:41:50Z'],
    ['2019-04-14T21:41:50.5-05:00', '2019-04-15T02:41:50Z'],
    ['2020-02-29T00:00:00Z', '2020-02-29T00:00:00Z'],
  ])('%s is exported as %s', (input, expected) => {
    expect(normalizeQualificationTime(input)).toBe(expected);
  });

  it.each(['2019-04-15', '2019-04-15T02:41:50', '2019-13-01T00:00:00Z', '2019-02-29T00:00:00Z', '2019-04-15T24:00:00Z', 'yesterday', '2019-04-15 02:41:50Z'])(
    'refuses %s',
    (input) => {
      expect(parseIsoInstant(input)).toBeUndefined();
      expect(() => normalizeQualificationTime(input)).toThrow(RangeError);
    },
  );

  it('formats epoch milliseconds as UTC whole seconds', () => {
    expect(formatIsoSeconds(1555296110999)).toBe('2019-04-15T02:41:50Z');
  });
});
