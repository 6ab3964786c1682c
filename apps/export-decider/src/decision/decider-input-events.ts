import { defineEvents } from '@spillway/event-streams';
import { publicEventDataSchemas as schemas } from '@spillway/xdm';

/** Streams the projector writes profile changes to (internal; the shape comes with the projector). */
export const profileChangesStreamPrefix = 'profile-changes-';

/**
 * The public configuration and audience events (streams.md). Profile-change events are not
 * defined yet, so unknown types are ignored rather than rejected.
 */
export const deciderInputEvents = defineEvents(
  {
    DestinationConfigured: schemas.DestinationConfigured,
    DestinationDeleted: schemas.DestinationDeleted,
    DataflowConfigured: schemas.DataflowConfigured,
    DataflowDeleted: schemas.DataflowDeleted,
    AudienceDefined: schemas.AudienceDefined,
  },
  { unknownTypes: 'ignore' },
);

export const deciderInputFilter = {
  streamNamePrefixes: [profileChangesStreamPrefix, 'destination-', 'dataflow-', 'audience-'],
} as const;
