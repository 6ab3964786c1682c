import type { ProfileChanged } from '@spillway/pipeline-events';
import { evolveProfile, isEmptyChange } from '@spillway/profile-state';
import type { IngestEvent } from '@spillway/xdm';
import type { ProfileHead } from './profile-head.ts';

/** One valid ingest event of a profile, with where and when the store recorded it. */
export interface IngestInput {
  readonly streamId: string;
  readonly eventId: string;
  readonly revision: number;
  readonly recordedAt: Date;
  readonly event: IngestEvent;
}

export type ProjectionPlan =
  | { readonly kind: 'already-applied'; readonly lastSourceRevision: number }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'append'; readonly profileChanged: ProfileChanged };

/**
 * At-least-once delivery means an ingest event can come again after a crash. Per profile the
 * events come in stream order, and each `ProfileChanged` records the ingest revision it was
 * folded from, so an event at or below the last recorded one was applied already.
 */
export function isAlreadyApplied(head: ProfileHead, sourceRevision: number): boolean {
  return sourceRevision <= head.lastSourceRevision;
}

/**
 * Decides what one ingest event does to a profile: nothing (already applied, or no change), or
 * a `ProfileChanged` to append.
 *
 * An event that changed nothing leaves no trace, so after a crash it is not recognised as
 * applied and is folded again. That is safe: every event between the last applied one and it
 * changed nothing either (otherwise it would be applied, and this one skipped), so the head's
 * state is exactly the state it was folded onto the first time, and the fold is a pure function
 * of the two: it changes nothing again.
 */
export function planProjection(head: ProfileHead, input: IngestInput): ProjectionPlan {
  if (isAlreadyApplied(head, input.revision)) return { kind: 'already-applied', lastSourceRevision: head.lastSourceRevision };
  const { state, change } = evolveProfile(head.state, input.event);
  // evolveProfile hands back the same state object when nothing in it changed (for a profile
  // seen for the first time: a fresh empty state, which there is no need to publish).
  if (isEmptyChange(change) && (state === head.state || head.state === undefined)) return { kind: 'unchanged' };
  return {
    kind: 'append',
    profileChanged: {
      profileId: state.profileId,
      state,
      change,
      source: { streamId: input.streamId, revision: input.revision, eventId: input.eventId, eventType: input.event.type },
      ingestedAt: input.recordedAt.toISOString(),
    },
  };
}
