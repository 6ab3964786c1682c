import type { BenchContext } from '../../suite.ts';

export interface BackfillWorkload {
  /** Profiles realized in the history audience before the backfill, one `profile-` stream each. */
  readonly profiles: number;
  /** Live changes offered during the whole run, paced as in the pipeline suite, in rounds of fresh profiles. */
  readonly live: { readonly ratePerSecond: number; readonly tickMs: number; readonly perTick: number; readonly roundMs: number };
  /** Live traffic alone, before the backfill starts: the latency it is compared with. */
  readonly baselineMs: number;
  /** SPILLWAY_BACKFILL_RATE given to the decider, as the bench's own environment has it ('' = the decider's default). */
  readonly backfillRate: string;
  /** How long the backfill and its deliveries may take before the suite reports what is missing. */
  readonly timeoutMs: number;
  /** How long live exports may take to arrive once the backfill is over. */
  readonly drainTimeoutMs: number;
}

export const defaultBackfillProfiles = 1_000_000;
const liveRatePerSecond = 100;
const tickMs = 10;

export function backfillWorkload(context: BenchContext, environment: Readonly<Record<string, string | undefined>>): BackfillWorkload {
  const profiles = context.profiles ?? (context.quick ? 2_000 : defaultBackfillProfiles);
  return {
    profiles,
    live: { ratePerSecond: liveRatePerSecond, tickMs, perTick: Math.max(1, Math.round((liveRatePerSecond * tickMs) / 1000)), roundMs: 5_000 },
    baselineMs: context.quick ? 2_000 : Math.max(10_000, context.phaseDurationMs * 2),
    backfillRate: environment['SPILLWAY_BACKFILL_RATE'] ?? '',
    // A generous floor of 100 profiles/s: past it the run is broken, not slow.
    timeoutMs: 60_000 + profiles * 10,
    drainTimeoutMs: 60_000,
  };
}
