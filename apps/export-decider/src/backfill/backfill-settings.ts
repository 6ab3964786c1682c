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

/** The live lag the backfill lane gives way at: live changes later than this slow it down. */
export const defaultLiveLagTargetMs = 250;

/** SPILLWAY_BACKFILL_LIVE_LAG_MS: milliseconds, or `off` (the backfill keeps SPILLWAY_BACKFILL_RATE whatever the live lag). */
export function parseLiveLagTarget(value: string | undefined): number | 'off' {
  if (value === undefined || value.trim() === '') return defaultLiveLagTargetMs;
  if (value.trim().toLowerCase() === 'off') return 'off';
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`SPILLWAY_BACKFILL_LIVE_LAG_MS must be a positive number of milliseconds, or 'off', not '${value}'`);
  return ms;
}
