import { defineEvents, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, internalEventSchemas, internalStreamPrefixes, type ExportDeadLettered } from '@spillway/pipeline-events';
import { matchesFilters, type DeadLetterFilters } from './dead-letter-selection.ts';

const deadLetterEvents = defineEvents({ ExportDeadLettered: internalEventSchemas.ExportDeadLettered });

/**
 * The dead letters matching `filters`, oldest first: one dataflow's stream, or every
 * `deadletters-` stream read from the log (up to its end when the read started).
 */
export async function readDeadLetters(store: EventStore, filters: DeadLetterFilters): Promise<ExportDeadLettered[]> {
  const found: ExportDeadLettered[] = [];
  if (filters.dataflowId !== undefined) {
    for (const { event } of await store.readStreamEvents(deadlettersStreamName(filters.dataflowId), { ...deadLetterEvents, unknownTypes: 'ignore' })) {
      if (matchesFilters(event.data, filters)) found.push(event.data);
    }
    return found;
  }
  const subscription = store.openAllSubscription({
    catalog: { ...deadLetterEvents, unknownTypes: 'ignore' },
    from: 'start',
    filter: { streamNamePrefixes: [internalStreamPrefixes.deadletters] },
    logFields: { purpose: 'dead letters' },
  });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'event' && matchesFilters(message.event.data, filters)) found.push(message.event.data);
    }
  } finally {
    await subscription.close();
  }
  return found;
}
