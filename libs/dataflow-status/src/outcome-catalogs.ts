import { defineEvents } from '@spillway/event-streams';
import { internalEventSchemas } from '@spillway/pipeline-events';

/** What the decider wrote to `exports-<dataflowId>`: the export requests. */
export const exportRequestEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested }, { unknownTypes: 'ignore' });

/** What the agent records in `deliveries-<dataflowId>`: each export's final outcome and its failed attempts. */
export const deliveryOutcomeEvents = defineEvents(
  {
    ExportDelivered: internalEventSchemas.ExportDelivered,
    ExportFailed: internalEventSchemas.ExportFailed,
    ExportSuperseded: internalEventSchemas.ExportSuperseded,
    ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed,
  },
  { unknownTypes: 'ignore' },
);

/** The exports given up, in `deadletters-<dataflowId>` (their replay marks are left out). */
export const deadLetteredEvents = defineEvents({ ExportDeadLettered: internalEventSchemas.ExportDeadLettered }, { unknownTypes: 'ignore' });

/** Everything in `deadletters-<dataflowId>`: a read backwards page by page must see the replay marks too, or a run of them would end it early. */
export const deadLetterStreamEvents = defineEvents(
  { ExportDeadLettered: internalEventSchemas.ExportDeadLettered, DeadLetterReplayed: internalEventSchemas.DeadLetterReplayed },
  { unknownTypes: 'ignore' },
);
