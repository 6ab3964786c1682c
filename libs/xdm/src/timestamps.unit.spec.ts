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

  it('gives text already in export form back as it is, which is what formatting it gives', () => {
    for (let epochMs = Date.UTC(1000, 0, 1); epochMs < Date.UTC(9999, 11, 31); epochMs += 86_399_999_937) {
      const text = formatIsoSeconds(epochMs);
      expect(text).toHaveLength(20);
      expect(normalizeQualificationTime(text)).toBe(text);
      expect(normalizeQualificationTime(text)).toBe(formatIsoSeconds(parseIsoInstant(text)!));
    }
    for (const text of ['2020-02-29T23:59:59Z', '1000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) expect(normalizeQualificationTime(text)).toBe(formatIsoSeconds(parseIsoInstant(text)!));
    expect(() => normalizeQualificationTime('2019-02-29T00:00:00Z')).toThrow(RangeError);
  });

  it('formats epoch milliseconds as UTC whole seconds', () => {
    expect(formatIsoSeconds(1555296110999)).toBe('2019-04-15T02:41:50Z');
  });
});

/** The regular expression parseIsoInstant was first written with: the definition it must keep. */
function referenceParse(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > days) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  let offsetMinutes = 0;
  if (match[8] === undefined) {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

describe('parseIsoInstant', () => {
  it.each([
    ['2019-04-15T02:41:50Z', Date.UTC(2019, 3, 15, 2, 41, 50)],
    ['2019-04-15T02:41:50.123456789Z', Date.UTC(2019, 3, 15, 2, 41, 50, 123)],
    ['2019-04-15T02:41:50.1+23:59', Date.UTC(2019, 3, 15, 2, 41, 50, 100) - (23 * 60 + 59) * 60_000],
    ['2019-04-15T02:41:50-0130', Date.UTC(2019, 3, 15, 2, 41, 50) + 90 * 60_000],
    ['1000-01-01T00:00:00Z', Date.UTC(1000, 0, 1)],
    ['2000-02-29T23:59:59.999Z', Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
  ])('reads %s', (text, expected) => {
    expect(parseIsoInstant(text)).toBe(expected);
  });

  it.each([
    '',
    '2019-04-15T02:41:50',
    '2019-04-15T02:41:50.Z',
    '2019-04-15T02:41:50.1234567890Z',
    '2019-04-15T02:41:50ZZ',
    '2019-04-15T02:41:50z',
    '2019-04-15T02:41:50+00',
    '2019-04-15T02:41:50+000',
    '2019-04-15T02:41:50+00:0',
    '2019-04-15T02:41:50+00000',
    '2019-04-15T02:41:50+00:000',
    '2019-04-15T02:41:50+0:000',
    '2019-04-15T02:41:50+24:00',
    '2019-04-15T02:41:50+00:60',
    '2019-04-15T02:41:50 +00:00',
    '2019-04-15T02:41:60Z',
    '2019-04-15T02:60:50Z',
    '2019-04-31T02:41:50Z',
    '1900-02-29T00:00:00Z',
    '0999-12-31T23:59:59Z',
    '+2019-04-15T02:41:50Z',
    '2019-4-15T02:41:50Z',
    '２０１９-04-15T02:41:50Z',
    '2019-04-15t02:41:50Z',
    '2019/04/15T02:41:50Z',
    '2019-04-15T02:41:50.5',
    ' 2019-04-15T02:41:50Z',
    '2019-04-15T02:41:50Z\n',
  ])('refuses %j', (text) => {
    expect(parseIsoInstant(text)).toBeUndefined();
    expect(referenceParse(text)).toBeUndefined();
  });

  it('agrees with the regular expression it replaced on valid instants and on every one-character change of them', () => {
    const valid = [
      '2019-04-15T02:41:50Z',
      '2019-04-15T02:41:50.123Z',
      '2020-02-29T12:00:00.5+05:30',
      '2021-12-31T23:59:59.987654321-0800',
      '2019-04-15T02:41:50+0000',
    ];
    const replacements = ['0', '1', '2', '3', '5', '9', '-', '+', ':', '.', 'T', 'Z', 'a', ' ', ''];
    let compared = 0;
    for (const text of valid) {
      expect(parseIsoInstant(text)).toBe(referenceParse(text));
      for (let at = 0; at <= text.length; at++) {
        for (const replacement of replacements) {
          for (const variant of [text.slice(0, at) + replacement + text.slice(at + 1), text.slice(0, at) + replacement + text.slice(at)]) {
            expect(parseIsoInstant(variant), variant).toBe(referenceParse(variant));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(2_000);
  });

  it('agrees with the regular expression on every fraction of up to 4 digits', () => {
    for (let fraction = 0; fraction < 10_000; fraction++) {
      for (const digits of [String(fraction), String(fraction).padStart(4, '0')]) {
        const text = `2019-04-15T02:41:50.${digits}Z`;
        expect(parseIsoInstant(text)).toBe(referenceParse(text));
      }
    }
  });

  it('agrees with the regular expression on every day of every month, leap years included, and on every hour and zone offset', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    for (const year of [1000, 1900, 2000, 2004, 2019, 2100]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const text = `${year}-${two(month)}-${two(day)}T00:00:00Z`;
          expect(parseIsoInstant(text), text).toBe(referenceParse(text));
        }
      }
    }
    for (let value = 0; value <= 99; value++) {
      for (const text of [`2019-04-15T${two(value)}:00:00Z`, `2019-04-15T00:${two(value)}:00Z`, `2019-04-15T00:00:${two(value)}Z`, `2019-04-15T00:00:00+${two(value)}:00`, `2019-04-15T00:00:00-00${two(value)}`]) {
        expect(parseIsoInstant(text), text).toBe(referenceParse(text));
      }
    }
  });
});
