import { defineEvents } from '@spillway/event-streams';
import { publicEventDataSchemas as schemas } from '@spillway/xdm';

/** The public ingest and audience events (streams.md) the projector folds into profiles. */
export const projectorInputEvents = defineEvents({
  ProfileAttributesWritten: schemas.ProfileAttributesWritten,
  IdentitiesLinked: schemas.IdentitiesLinked,
  IdentitiesUnlinked: schemas.IdentitiesUnlinked,
  SegmentMembershipChanged: schemas.SegmentMembershipChanged,
  AudienceDefined: schemas.AudienceDefined,
});

export const projectorInputFilter = { streamNamePrefixes: ['ingest-', 'audience-'] } as const;
