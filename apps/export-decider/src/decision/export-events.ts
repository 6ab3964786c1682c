import { defineEvents } from '@spillway/event-streams';
import { internalEventSchemas } from '@spillway/pipeline-events';

/** What the decider writes to `exports-<dataflowId>`. */
export const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested });
