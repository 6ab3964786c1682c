import { comparePositions, type Position } from '@spillway/event-streams';

/**
 * What a first pass over the profile streams of the log tells the backfill, so that it can take
 * each profile's newest version from its own scan instead of reading every profile's stream:
 * the last revision of each profile at or before the backfill's end (`upTo`), and which
 * profiles changed after it. Only profiles with more than one version cost memory; past
 * `maxProfiles` of them, or when the profiles have so many versions that reading is cheaper
 * (`worthIndexing`), the index gives up (`complete` false) and the backfill reads each
 * profile's stream as before.
 */
export interface HistoryIndex {
  /** Notes one profile event of the first pass (in log order). */
  note(event: ProfileEventRef): void;
  /** Stops noting: the backfill reads each profile's stream instead. */
  giveUp(): void;
  /** False once the index stopped noting (too many profiles): nothing it says may be used. */
  readonly complete: boolean;
  /** The revision of the profile's newest event at or before `upTo`, among the events noted. */
  lastRevision(profileStream: string): bigint;
  /** Whether the profile has an event after `upTo` (its newest version is not in the scan). */
  changedAfter(profileStream: string): boolean;
}

export interface ProfileEventRef {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: Position | undefined;
}

/** About 100 bytes a profile: 100 MB for a history of a million profiles with several versions. */
export const defaultIndexedProfiles = 1_000_000;

export function createHistoryIndex(upTo: Position, maxProfiles = defaultIndexedProfiles): HistoryIndex {
  // Only revisions above 0 are kept: a profile absent from `last` has one version (revision 0).
  let last: Map<string, bigint> | undefined = new Map();
  let after: Set<string> | undefined = new Set();
  return {
    note(event) {
      if (!last || !after) return;
      if (event.position === undefined) {
        last = after = undefined;
        return;
      }
      if (comparePositions(event.position, upTo) <= 0) {
        if (event.revision > 0n) last.set(event.streamId, event.revision);
      } else if (event.revision > 0n) {
        // Revision 0 after `upTo` is a profile created after it: not in the backfill's scan.
        after.add(event.streamId);
      }
      if (last.size + after.size > maxProfiles) last = after = undefined;
    },
    giveUp() {
      last = after = undefined;
    },
    get complete() {
      return last !== undefined;
    },
    lastRevision: (profileStream) => last?.get(profileStream) ?? 0n,
    changedAfter: (profileStream) => after === undefined || after.has(profileStream),
  };
}

/**
 * Reading a profile's newest version costs about as much as seven events of the first pass (0.64
 * against 0.09 ms of the decider's and the store's CPU, 2026-11-22): past that many events a
 * profile, once the first pass has seen enough of the log to tell, it is cheaper to read.
 */
export function worthIndexing(events: number, profiles: number): boolean {
  return events < 20_000 || events <= 7 * profiles;
}

/**
 * Whether the scan takes the profile at this event: at its newest event up to the backfill's end
 * by the index, so each profile once. Without an index, a fresh backfill takes each profile at
 * its first event (revision 0) and reads its stream. A resumed one may have run with the index
 * before: the profiles it had not reached then are those whose newest event is after the resume
 * point, and their first may be before it; so it takes every event (each reads the stream and
 * exports the newest version, under the same export id however often: slower, never wrong).
 */
export function takesProfileAt(event: { readonly streamId: string; readonly revision: bigint }, history: HistoryIndex, resuming: boolean): boolean {
  if (history.complete) return event.revision === history.lastRevision(event.streamId);
  return resuming || event.revision === 0n;
}
