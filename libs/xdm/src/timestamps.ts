/**
 * ISO-8601 instants as the public streams carry them: date, `T`, time with seconds, optional
 * fraction, and a required zone (`Z`, `+hh:mm` or `+hhmm`, as in the reference's
 * `2019-04-15T02:41:50+0000`). A time without a zone is ambiguous and refused.
 */
const isoInstantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/** Epoch milliseconds of an ISO-8601 instant, or undefined when it is not one. */
export function parseIsoInstant(text: string): number | undefined {
  const match = isoInstantPattern.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
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

export function isIsoInstant(text: string): boolean {
  return parseIsoInstant(text) !== undefined;
}

/** `2019-04-15T02:41:50Z`: UTC, whole seconds (milliseconds are dropped, not rounded). */
export function formatIsoSeconds(epochMs: number): string {
  const flooredToSecond = Math.floor(epochMs / 1000) * 1000;
  return `${new Date(flooredToSecond).toISOString().slice(0, 19)}Z`;
}

/**
 * The export form of a qualification time: any accepted ISO-8601 instant becomes UTC with whole
 * seconds. Throws on text that is not an instant (schemas reject those before they get here).
 */
export function normalizeQualificationTime(text: string): string {
  const epochMs = parseIsoInstant(text);
  if (epochMs === undefined) throw new RangeError(`not an ISO-8601 instant with a time zone: '${text}'`);
  return formatIsoSeconds(epochMs);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
