import { defineEvents } from '@spillway/event-streams';
import { publicEventDataSchemas as schemas } from '@spillway/xdm';

/** The configuration streams every decider instance folds (streams.md). */
export const configurationStreamPrefixes = ['destination-', 'dataflow-', 'audience-'] as const;

export const configurationEvents = defineEvents(
  {
    DestinationConfigured: schemas.DestinationConfigured,
    DestinationDeleted: schemas.DestinationDeleted,
    DataflowConfigured: schemas.DataflowConfigured,
    DataflowDeleted: schemas.DataflowDeleted,
    AudienceDefined: schemas.AudienceDefined,
  },
  // The consumer reports unknown types in these streams; loading them again at start need not.
  { unknownTypes: 'ignore' },
);
