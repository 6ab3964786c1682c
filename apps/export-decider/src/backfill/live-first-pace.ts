/**
 * The backfill lane's pace, given way to live traffic: the configured rate is a ceiling, and the
 * pace steps down whenever a live profile change reaches the decider later than `targetLagMs`
 * after its ingest (the machine is saturated: the backfill is taking what live traffic needs),
 * then climbs back by a twentieth of the ceiling per second without such a change. With no live
 * traffic the backfill runs at the ceiling.
 *
 * The step is as deep as the change was late: the pace is multiplied by target / lag, by 0.9 at
 * most and 0.5 at least. A change just over the target means the machine is just past full;
 * halving then (as the pace first did) kept a 200,000-profile backfill under its ceiling for half
 * of its run, at 1,303 profiles/s, against 1,510/s stepping in proportion. One step a second at
 * most, and no climbing while changes are late: a backlog built at the old pace keeps them late
 * for a while after the step.
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

const stepEveryMs = 1_000;
const shallowestStep = 0.9;
const deepestStep = 0.5;
const climbStepMs = 1_000;

export function createLiveFirstPace(options: LiveFirstPaceOptions, startMs: number): LiveFirstPace {
  const ceiling = options.ceilingPerSecond;
  const targetLagMs = options.targetLagMs ?? 250;
  const floor = Math.min(ceiling, options.floorPerSecond ?? Math.max(1, ceiling / 100));
  let pace = ceiling;
  let lastSteppedAt = Number.NEGATIVE_INFINITY;
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
      climbedUntil = nowMs;
      if (nowMs - lastSteppedAt < stepEveryMs) return;
      pace = Math.max(floor, pace * Math.min(shallowestStep, Math.max(deepestStep, targetLagMs / lagMs)));
      lastSteppedAt = nowMs;
    },
  };
}
