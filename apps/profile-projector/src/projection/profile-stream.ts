import { defineEvents, orderedEventIdAt, type EventStore } from '@spillway/event-streams';
import { profileChangedSchema, profileStreamName, type ProfileChanged } from '@spillway/pipeline-events';
import { headOfProfileChanged, newProfileHead, type ProfileHead } from './profile-head.ts';

export const profileEvents = defineEvents({ ProfileChanged: profileChangedSchema });

/** The profile as its stream has it: the last `ProfileChanged` holds the whole state. A missing stream is a new profile. */
export async function readProfileHead(store: EventStore, profileId: string): Promise<ProfileHead> {
  const [last] = await store.readStreamEvents(profileStreamName(profileId), profileEvents, { direction: 'backwards', maxCount: 1 });
  return last ? headOfProfileChanged(last) : newProfileHead;
}

/**
 * Appends at the revision the head was read at: the projector is the profile's only writer, so
 * anything else there means a second writer or a stale cache (WrongExpectedRevisionError). The
 * id derives from the ingest event, so a repeat of the same append is a no-op in the store.
 */
export async function appendProfileChanged(store: EventStore, head: ProfileHead, profileChanged: ProfileChanged): Promise<ProfileHead> {
  const result = await store.appendEvents(
    profileStreamName(profileChanged.profileId),
    profileEvents,
    [{ type: 'ProfileChanged', id: profileChangedEventId(profileChanged), data: profileChanged }],
    { expectedRevision: head.revision },
  );
  return { state: profileChanged.state, revision: result.nextExpectedRevision, lastSourceRevision: profileChanged.source.revision };
}

/**
 * Derived from the ingest event (its id, and the time the store recorded it), so folding it again
 * after a crash gives the same id; time first, so the ids of one moment sit together in the
 * store's event-id index (see `orderedEventId`).
 */
export function profileChangedEventId(profileChanged: ProfileChanged): string {
  return orderedEventIdAt(profileChanged.ingestedAt, 'profile', profileChanged.source.eventId);
}
