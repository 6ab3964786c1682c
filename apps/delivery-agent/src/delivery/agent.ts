import { runConsumer, type Consumer, type EventStore } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { agentInputEvents, agentInputFilter } from './agent-input-events.ts';
import { countSeenEvents } from './seen-events.ts';

export const agentConsumerName = 'delivery-agent';

/** Follows export requests; for now it only counts what it sees. */
export function runAgent(store: EventStore, logger: Logger): Consumer & { seen(): Readonly<Record<string, number>> } {
  const seen = countSeenEvents();
  const consumer = runConsumer({
    store,
    logger,
    consumer: agentConsumerName,
    catalog: agentInputEvents,
    filter: agentInputFilter,
    handle: (message) => {
      seen.record(message.event.type);
      logger.debug('event seen', { stream: message.streamId, eventType: message.event.type, revision: message.revision });
    },
  });
  return { ...consumer, seen: seen.summary };
}
