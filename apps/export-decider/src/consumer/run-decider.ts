import { runConsumer, type Consumer, type EventStore } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { deciderInputEvents, deciderInputFilter } from './decider-input-events.ts';
import { countSeenEvents } from './seen-events.ts';

export const deciderConsumerName = 'export-decider';

/** Follows profile changes and configuration; for now it only counts what it sees. */
export function runDecider(store: EventStore, logger: Logger): Consumer & { seen(): Readonly<Record<string, number>> } {
  const seen = countSeenEvents();
  const consumer = runConsumer({
    store,
    logger,
    consumer: deciderConsumerName,
    catalog: deciderInputEvents,
    filter: deciderInputFilter,
    handle: (message) => {
      seen.record(message.event.type);
      logger.debug('event seen', { stream: message.streamId, eventType: message.event.type, revision: message.revision });
    },
  });
  return { ...consumer, seen: seen.summary };
}
