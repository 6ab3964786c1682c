/**
 * The default ceiling of the backfill lane's pace, above what a 2-core machine delivers (1,552-1,675
 * profiles/s over 1,000,000 profiles, up to 2,220 over 200,000): the live-first pace, not the
 * ceiling, sets the speed there.
 */
export const defaultBackfillRate = 2500;

/**
 * The lane reads the log over its own connection, with this much read-ahead: its first pass reads
 * every profile's events in bulk, and with grpc-js's 64 KiB the store waits for the decider after
 * every hundred events or so (see widenFlowControlWindow).
 */
export const backfillReadAheadBytes = 1024 * 1024;

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
