import { defineEvents } from '@spillway/event-streams';
import { alertingEventSchemas, alertingStreamPrefix } from '@spillway/alert-rules';
import { backfillEventSchemas, backfillStreamPrefix, circuitEventSchemas, circuitStreamPrefix, internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';
import { dataflowConfiguredSchema, dataflowDeletedSchema, dataflowStreamName } from '@spillway/xdm';

/** What the alert manager reads; other event types in these streams (ExportSuperseded, ...) are skipped. */
export const alertManagerInputEvents = defineEvents(
  {
    ExportDelivered: internalEventSchemas.ExportDelivered,
    ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed,
    ExportFailed: internalEventSchemas.ExportFailed,
    ExportDeadLettered: internalEventSchemas.ExportDeadLettered,
    ...circuitEventSchemas,
    ...backfillEventSchemas,
    DataflowConfigured: dataflowConfiguredSchema,
    DataflowDeleted: dataflowDeletedSchema,
    ...alertingEventSchemas,
  },
  { unknownTypes: 'ignore' },
);

export const alertManagerInputFilter = {
  streamNamePrefixes: [internalStreamPrefixes.deliveries, internalStreamPrefixes.deadletters, circuitStreamPrefix, backfillStreamPrefix, dataflowStreamName(''), alertingStreamPrefix],
} as const;
