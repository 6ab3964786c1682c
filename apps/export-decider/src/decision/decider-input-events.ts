import { defineEvents } from '@spillway/event-streams';
import { z } from 'zod';

/** Streams the projector writes profile changes to (internal; the shape comes with the projector). */
export const profileChangesStreamPrefix = 'profile-changes-';

// Configuration events (streams.md), checked only for the ids the decider keys on until the
// XDM lib brings the full schemas. Profile-change events are not defined yet: ignored, not rejected.
const id = z.string().min(1);

export const deciderInputEvents = defineEvents(
  {
    DestinationConfigured: z.looseObject({ destinationId: id, endpoint: z.string() }),
    DestinationDeleted: z.looseObject({ destinationId: id }),
    DataflowConfigured: z.looseObject({ dataflowId: id, destinationId: id, enabled: z.boolean() }),
    DataflowDeleted: z.looseObject({ dataflowId: id }),
    AudienceDefined: z.looseObject({ audienceId: id }),
  },
  { unknownTypes: 'ignore' },
);

export const deciderInputFilter = {
  streamNamePrefixes: [profileChangesStreamPrefix, 'destination-', 'dataflow-', 'audience-'],
} as const;
