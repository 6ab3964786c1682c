import { runConsumer, type Consumer, type EventStore } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { projectorInputEvents, projectorInputFilter } from './ingest-events.ts';
import { countSeenEvents } from './seen-events.ts';

export const projectorConsumerName = 'profile-projector';

/** Follows the ingest and audience streams; for now it only counts what it sees. */
export function runProjector(store: EventStore, logger: Logger): Consumer & { seen(): Readonly<Record<string, number>> } {
  const seen = countSeenEvents();
  const consumer = runConsumer({
    store,
    logger,
    consumer: projectorConsumerName,
    catalog: projectorInputEvents,
    filter: projectorInputFilter,
    handle: (message) => {
      seen.record(message.event.type);
      logger.debug('event seen', { stream: message.streamId, eventType: message.event.type, revision: message.revision });
    },
  });
  return { ...consumer, seen: seen.summary };
}
