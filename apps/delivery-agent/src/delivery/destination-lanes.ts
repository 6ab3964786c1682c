/**
 * A bound on the deliveries running at once per destination, with a FIFO queue behind it. Each
 * destination may have its own bound (its `maxInFlight` setting), never above the agent's.
 *
 * Why here and not in the consumer: the consumer bounds the events in hand across all keys, but
 * it cannot tell that many of them wait on one destination. The queue lets a destination at
 * its bound wait its turn without taking a request slot from any other destination; only the
 * consumer's total in-flight bound (memory) is shared.
 *
 * Live exports go before queued backfill exports of the same destination: a backfill fills the
 * queue with thousands of profiles, and a live change must not wait behind all of them. Order per
 * (dataflow, profile) is not affected: a profile has one export in the lanes at a time.
 */
export interface DestinationLanes {
  /**
   * Runs `task` once fewer than `bound` (the agent's bound when not given or higher) of the
   * destination's tasks are running; a queued `live` task starts before any queued `backfill` one.
   */
  run<T>(destinationId: string, task: () => Promise<T>, bound?: number, priority?: LanePriority): Promise<T>;
  stats(): { readonly running: number; readonly queued: number; readonly destinations: number };
}

export type LanePriority = 'live' | 'backfill';

interface Lane {
  running: number;
  readonly queues: Record<LanePriority, (() => void)[]>;
}

export function createDestinationLanes(maxRunningPerDestination: number): DestinationLanes {
  if (!Number.isInteger(maxRunningPerDestination) || maxRunningPerDestination < 1) {
    throw new RangeError(`maxRunningPerDestination must be a positive integer, got ${maxRunningPerDestination}`);
  }
  const lanes = new Map<string, Lane>();

  const acquire = (destinationId: string, bound: number, priority: LanePriority): Promise<Lane> => {
    let lane = lanes.get(destinationId);
    if (lane === undefined) {
      lane = { running: 0, queues: { live: [], backfill: [] } };
      lanes.set(destinationId, lane);
    }
    const current = lane;
    if (current.running < Math.min(bound, maxRunningPerDestination)) {
      current.running++;
      return Promise.resolve(current);
    }
    return new Promise<Lane>((resolve) => current.queues[priority].push(() => resolve(current)));
  };

  const release = (destinationId: string, lane: Lane) => {
    const next = lane.queues.live.shift() ?? lane.queues.backfill.shift();
    // The slot passes straight to the next in line, so `running` stays as it is.
    if (next) return next();
    lane.running--;
    if (lane.running === 0) lanes.delete(destinationId);
  };

  return {
    async run(destinationId, task, bound = maxRunningPerDestination, priority = 'live') {
      const lane = await acquire(destinationId, bound, priority);
      try {
        return await task();
      } finally {
        release(destinationId, lane);
      }
    },
    stats() {
      let running = 0;
      let queued = 0;
      for (const lane of lanes.values()) {
        running += lane.running;
        queued += lane.queues.live.length + lane.queues.backfill.length;
      }
      return { running, queued, destinations: lanes.size };
    },
  };
}
