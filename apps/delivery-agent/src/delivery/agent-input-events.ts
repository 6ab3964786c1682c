import { defineEvents } from '@spillway/event-streams';
import { internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';

/** Export requests from the decider (`exports-<dataflowId>`). */
export const agentInputEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested });

export const agentInputFilter = { streamNamePrefixes: [internalStreamPrefixes.exports] } as const;
