/**
 * The backfill lane's pace, given way to live traffic: the configured rate is a ceiling, and the
 * pace halves whenever a live profile change reaches the decider later than `targetLagMs` after
 * its ingest (the machine is saturated: the backfill is taking what live traffic needs), then
 * climbs back by a twentieth of the ceiling per second without such a change. With no live
 * traffic the backfill runs at the ceiling.
 *
 * Pure: time comes in as milliseconds.
 */
export interface LiveFirstPace {
  /** Profiles per second the backfill may take now. */
  current(nowMs: number): number;
  /** A live profile change reached the decider `lagMs` after its ingest. */
  observeLiveLag(lagMs: number, nowMs: number): void;
}

export interface LiveFirstPaceOptions {
  readonly ceilingPerSecond: number;
  /** @defaultValue 250 ms */
  readonly targetLagMs?: number;
  /** The pace never drops under this. @defaultValue 1% of the ceiling, at least 1 */
  readonly floorPerSecond?: number;
}

const halvingEveryMs = 250;
const climbStepMs = 1_000;

export function createLiveFirstPace(options: LiveFirstPaceOptions, startMs: number): LiveFirstPace {
  const ceiling = options.ceilingPerSecond;
  const targetLagMs = options.targetLagMs ?? 250;
  const floor = Math.min(ceiling, options.floorPerSecond ?? Math.max(1, ceiling / 100));
  let pace = ceiling;
  let lastHalvedAt = Number.NEGATIVE_INFINITY;
  let climbedUntil = startMs;

  const climb = (nowMs: number) => {
    const steps = Math.floor((nowMs - climbedUntil) / climbStepMs);
    if (steps <= 0) return;
    pace = Math.min(ceiling, pace + (steps * ceiling) / 20);
    climbedUntil += steps * climbStepMs;
  };

  return {
    current(nowMs) {
      climb(nowMs);
      return pace;
    },
    observeLiveLag(lagMs, nowMs) {
      climb(nowMs);
      if (lagMs <= targetLagMs) return;
      // One halving per burst of late changes, not one per change of the burst.
      if (nowMs - lastHalvedAt < halvingEveryMs) return;
      pace = Math.max(floor, pace / 2);
      lastHalvedAt = nowMs;
      climbedUntil = nowMs;
    },
  };
}
