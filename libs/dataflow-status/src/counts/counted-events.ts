import { z } from 'zod';
import { defineEvents, type CatalogEvent } from '@spillway/event-streams';
import { internalEventSchemas } from '@spillway/pipeline-events';
import { publicEventDataSchemas } from '@spillway/xdm';

/** What the counts are folded from. Profile changes are only counted: their data is not read, whatever their shape. */
export const countedEvents = defineEvents(
  {
    DataflowConfigured: publicEventDataSchemas.DataflowConfigured,
    DataflowDeleted: publicEventDataSchemas.DataflowDeleted,
    ProfileChanged: z.unknown(),
    ExportRequested: internalEventSchemas.ExportRequested,
    ExportDelivered: internalEventSchemas.ExportDelivered,
    ExportFailed: internalEventSchemas.ExportFailed,
    ExportSuperseded: internalEventSchemas.ExportSuperseded,
    ExportDeadLettered: internalEventSchemas.ExportDeadLettered,
  },
  { unknownTypes: 'ignore' },
);

export type CountedEvent = CatalogEvent<typeof countedEvents>;
