import { defineEvents } from '@spillway/event-streams';
import { internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';
import { publicEventDataSchemas as schemas } from '@spillway/xdm';

/** Profile changes from the projector, plus the public configuration and audience events (streams.md). */
export const deciderInputEvents = defineEvents({
  ProfileChanged: internalEventSchemas.ProfileChanged,
  DestinationConfigured: schemas.DestinationConfigured,
  DestinationDeleted: schemas.DestinationDeleted,
  DataflowConfigured: schemas.DataflowConfigured,
  DataflowDeleted: schemas.DataflowDeleted,
  AudienceDefined: schemas.AudienceDefined,
});

export const deciderInputFilter = {
  streamNamePrefixes: [internalStreamPrefixes.profile, 'destination-', 'dataflow-', 'audience-'],
} as const;
