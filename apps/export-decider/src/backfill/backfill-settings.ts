/** The default pace of the backfill lane: well under what the live lane needs on a 2-core machine. */
export const defaultBackfillRate = 2000;

export class InvalidBackfillRateError extends Error {
  override readonly name = 'InvalidBackfillRateError';
  readonly type = 'InvalidBackfillRateError';
  readonly value: string;
  constructor(value: string) {
    super(`SPILLWAY_BACKFILL_RATE must be a positive number of profiles per second, or 'off', not '${value}'`);
    this.value = value;
  }
}

/** SPILLWAY_BACKFILL_RATE: profiles per second, or `off` (backfill requests are then only logged). */
export function parseBackfillRate(value: string | undefined): number | 'off' {
  if (value === undefined || value.trim() === '') return defaultBackfillRate;
  if (value.trim().toLowerCase() === 'off') return 'off';
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) throw new InvalidBackfillRateError(value);
  return rate;
}
