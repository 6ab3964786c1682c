/**
 * One holder per profile at a time, shared by the live decisions and the backfill of the same
 * decider instance: a backfill reads a profile's latest version and appends its export while
 * holding it, so a live export of a newer version cannot be appended in between (which would put
 * the backfill's older sequence after it).
 */
export interface ProfileGate {
  /** Runs `work` once every earlier holder of this profile (keyed by its `profile-` stream) is done. */
  run<T>(profileStream: string, work: () => Promise<T>): Promise<T>;
}

export function createProfileGate(): ProfileGate {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run(profileStream, work) {
      const before = tails.get(profileStream);
      const mine = (before ?? Promise.resolve()).then(work, work);
      const tail = mine.catch(() => undefined);
      tails.set(profileStream, tail);
      try {
        return await mine;
      } finally {
        if (tails.get(profileStream) === tail) tails.delete(profileStream);
      }
    },
  };
}
