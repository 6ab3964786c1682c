import { defineEvents } from '@spillway/event-streams';
import { publicEventDataSchemas } from '@spillway/xdm';

const schemas = publicEventDataSchemas;

// Other event types in these streams (added by a later version) are left alone, not reported.
export const destinationEvents = defineEvents(
  { DestinationConfigured: schemas.DestinationConfigured, DestinationDeleted: schemas.DestinationDeleted },
  { unknownTypes: 'ignore' },
);

export const dataflowEvents = defineEvents(
  { DataflowConfigured: schemas.DataflowConfigured, DataflowDeleted: schemas.DataflowDeleted },
  { unknownTypes: 'ignore' },
);

export const audienceEvents = defineEvents({ AudienceDefined: schemas.AudienceDefined }, { unknownTypes: 'ignore' });

export const ingestEventCatalog = defineEvents({
  ProfileAttributesWritten: schemas.ProfileAttributesWritten,
  IdentitiesLinked: schemas.IdentitiesLinked,
  IdentitiesUnlinked: schemas.IdentitiesUnlinked,
  SegmentMembershipChanged: schemas.SegmentMembershipChanged,
});
