import { defineEvents } from '@spillway/event-streams';
import { z } from 'zod';

/** Streams the decider writes export requests to (internal; the shape comes with the decider). */
export const exportRequestsStreamPrefix = 'export-requests-';

export const agentInputEvents = defineEvents(
  { ExportRequested: z.looseObject({ exportId: z.string().min(1), dataflowId: z.string().min(1) }) },
  { unknownTypes: 'ignore' },
);

export const agentInputFilter = { streamNamePrefixes: [exportRequestsStreamPrefix] } as const;
