/**
 * Runs tasks one after another per key and side by side across keys, with a bound on how many
 * are queued or running in all. Callers wait for `room()` before adding more, which is what
 * keeps a consumer from pulling unboundedly from its subscription.
 */
export interface KeyLanes {
  /** Queues `task` behind the earlier tasks of the same key. It never rejects: tasks handle their own errors. */
  run(key: string, task: () => Promise<void>): void;
  /** Resolves once fewer than `maxInFlight` tasks are queued or running. */
  room(): Promise<void>;
  /** Resolves once no task is queued or running. */
  idle(): Promise<void>;
  inFlight(): number;
}

export function createKeyLanes(maxInFlight: number): KeyLanes {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  const tails = new Map<string, Promise<void>>();
  let inFlight = 0;
  let waiters: { readonly below: number; readonly resolve: () => void }[] = [];

  const settle = () => {
    inFlight--;
    const ready = waiters.filter((waiter) => inFlight < waiter.below);
    if (ready.length === 0) return;
    waiters = waiters.filter((waiter) => inFlight >= waiter.below);
    for (const waiter of ready) waiter.resolve();
  };
  const whenBelow = (below: number) =>
    inFlight < below ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ below, resolve }));

  return {
    run(key, task) {
      inFlight++;
      const previous = tails.get(key);
      const guarded = async () => {
        try {
          await task();
        } catch {
          // the task reports its own failure
        }
      };
      const tail = (previous ? previous.then(guarded) : guarded()).finally(() => {
        if (tails.get(key) === tail) tails.delete(key);
        settle();
      });
      tails.set(key, tail);
    },
    room: () => whenBelow(maxInFlight),
    idle: () => whenBelow(1),
    inFlight: () => inFlight,
  };
}
