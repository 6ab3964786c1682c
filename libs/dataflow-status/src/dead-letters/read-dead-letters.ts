import { defineEvents, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';
import type { DeadLetterFilters } from './dead-letter-filters.ts';
import { createDeadLetterList, type DeadLetterStreamEvent, type ListedDeadLetter } from './dead-letter-list.ts';

export const deadLetterStreamEvents = defineEvents(
  { ExportDeadLettered: internalEventSchemas.ExportDeadLettered, DeadLetterReplayed: internalEventSchemas.DeadLetterReplayed },
  { unknownTypes: 'ignore' },
);

/**
 * The dead letters matching `filters`, oldest first, each marked when replayed: one dataflow's
 * stream, or every `deadletters-` stream read from the log (up to its end when the read started).
 */
export async function readDeadLetters(store: EventStore, filters: DeadLetterFilters): Promise<ListedDeadLetter[]> {
  const list = createDeadLetterList(filters);
  if (filters.dataflowId !== undefined) {
    for (const { event } of await store.readStreamEvents(deadlettersStreamName(filters.dataflowId), deadLetterStreamEvents)) list.see(event as DeadLetterStreamEvent);
    return list.list();
  }
  const subscription = store.openAllSubscription({
    catalog: deadLetterStreamEvents,
    from: 'start',
    filter: { streamNamePrefixes: [internalStreamPrefixes.deadletters] },
    logFields: { purpose: 'dead letters' },
  });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      // The prefix also matches other categories that merely start the same way.
      if (message.kind === 'event' && message.streamId === deadlettersStreamName(message.event.data.dataflowId)) list.see(message.event as DeadLetterStreamEvent);
    }
  } finally {
    await subscription.close();
  }
  return list.list();
}
