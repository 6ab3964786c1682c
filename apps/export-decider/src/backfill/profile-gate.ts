/**
 * One holder per profile at a time, shared by the live decisions and the backfill of the same
 * decider instance: a backfill reads a profile's latest version and appends its export while
 * holding it, so a live export of a newer version cannot be appended in between (which would put
 * the backfill's older sequence after it).
 */
export interface ProfileGate {
  /**
   * Runs `work` once every earlier holder of this profile (keyed by its `profile-` stream) is done.
   * A `live` holder (the default) is told to every open watch when it asks.
   */
  run<T>(profileStream: string, work: () => Promise<T>, lane?: 'live' | 'backfill'): Promise<T>;
  /** Notes the profiles live holders ask for from now on, until closed. */
  watchLive(options?: { readonly maxProfiles?: number }): LiveWatch;
}

/** The profiles the live lane asked the gate for since the watch opened. */
export interface LiveWatch {
  /** True when a live holder asked for this profile since the watch opened, and always once more profiles than it keeps were asked for. */
  has(profileStream: string): boolean;
  close(): void;
}

/** A watch past this many profiles answers `has` with true for every profile (memory stays bounded). */
export const defaultWatchedProfiles = 100_000;

export function createProfileGate(): ProfileGate {
  const tails = new Map<string, Promise<unknown>>();
  const watches = new Set<(profileStream: string) => void>();
  return {
    async run(profileStream, work, lane = 'live') {
      // Noted when asked, not when run: a backfill holder queued after this one must see it.
      if (lane === 'live') for (const note of watches) note(profileStream);
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
    watchLive(options = {}) {
      const maxProfiles = options.maxProfiles ?? defaultWatchedProfiles;
      let seen: Set<string> | undefined = new Set<string>();
      const note = (profileStream: string) => {
        seen?.add(profileStream);
        if (seen && seen.size > maxProfiles) seen = undefined;
      };
      watches.add(note);
      return {
        has: (profileStream) => seen === undefined || seen.has(profileStream),
        close: () => void watches.delete(note),
      };
    },
  };
}
