import { defineEvents } from '@spillway/event-streams';
import { backfillEventSchemas, internalEventSchemas } from '@spillway/pipeline-events';
import { publicEventDataSchemas as schemas } from '@spillway/xdm';

// Other event types in these streams (added by a later version) are left alone, not reported.
const ignoreOthers = { unknownTypes: 'ignore' } as const;

export const destinationEvents = defineEvents({ DestinationConfigured: schemas.DestinationConfigured, DestinationDeleted: schemas.DestinationDeleted }, ignoreOthers);
export const dataflowEvents = defineEvents({ DataflowConfigured: schemas.DataflowConfigured, DataflowDeleted: schemas.DataflowDeleted }, ignoreOthers);
export const audienceEvents = defineEvents({ AudienceDefined: schemas.AudienceDefined }, ignoreOthers);
export const profileEvents = defineEvents({ ProfileChanged: internalEventSchemas.ProfileChanged }, ignoreOthers);
export const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested }, ignoreOthers);
export const deliveryEvents = defineEvents({ ExportDelivered: internalEventSchemas.ExportDelivered, ExportFailed: internalEventSchemas.ExportFailed }, ignoreOthers);
export const backfillEvents = defineEvents(backfillEventSchemas, ignoreOthers);
export const deadLetterEvents = defineEvents(
  { ExportDeadLettered: internalEventSchemas.ExportDeadLettered, DeadLetterReplayed: internalEventSchemas.DeadLetterReplayed },
  ignoreOthers,
);
export const replayEvents = defineEvents({ ExportReplayRequested: internalEventSchemas.ExportReplayRequested }, ignoreOthers);
