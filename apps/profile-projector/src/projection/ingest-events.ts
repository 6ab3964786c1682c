import { defineEvents } from '@spillway/event-streams';
import { ingestStreamName, parseStreamName, publicEventDataSchemas as schemas } from '@spillway/xdm';

/**
 * The public ingest events (streams.md) the projector folds into profiles. `audience-*` streams
 * are not read here: an audience definition changes no profile state, and the decider reads
 * those streams itself.
 */
export const ingestInputEvents = defineEvents({
  ProfileAttributesWritten: schemas.ProfileAttributesWritten,
  IdentitiesLinked: schemas.IdentitiesLinked,
  IdentitiesUnlinked: schemas.IdentitiesUnlinked,
  SegmentMembershipChanged: schemas.SegmentMembershipChanged,
});

/** All `ingest-` streams, or those of the profiles whose ids start with a prefix (tests, one tenant of a shared store). */
export const ingestInputFilter = (profileIdPrefix = '') => ({ streamNamePrefixes: [ingestStreamName(profileIdPrefix)] });

/** The profile an `ingest-<profileId>` stream belongs to, or undefined for any other stream. */
export function profileIdOfStream(streamId: string): string | undefined {
  const parsed = parseStreamName(streamId);
  return parsed?.category === 'ingest' ? parsed.id : undefined;
}
