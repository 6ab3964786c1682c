import { comparePositions, type EventStore, type Position } from '@spillway/event-streams';
import { destinationEvents } from '../delivery/agent-input-events.ts';
import type { DestinationRegistry } from './destination-registry.ts';

/**
 * Destinations live in memory, but the consumer resumes from its checkpoint: at start the
 * destination events up to it (inclusive) are folded first, so the exports after it see the
 * destinations as of their place in the log. Resolves with the number of events applied.
 */
export async function loadDestinationsUpTo(
  store: EventStore,
  registry: DestinationRegistry,
  options: {
    readonly upTo: Position;
    /** `destination-`, or narrower. */
    readonly streamPrefix: string;
    readonly logFields: Readonly<Record<string, unknown>>;
  },
): Promise<number> {
  const { upTo, logFields } = options;
  const subscription = store.openAllSubscription({
    catalog: destinationEvents,
    from: 'start',
    filter: { streamNamePrefixes: [options.streamPrefix] },
    logFields: { ...logFields, purpose: 'destinations up to the checkpoint' },
  });
  let applied = 0;
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'checkpoint') {
        if (comparePositions(message.position, upTo) >= 0) break;
        continue;
      }
      if (message.position !== undefined && comparePositions(message.position, upTo) > 0) break;
      if (message.kind === 'event') {
        registry.apply(message);
        applied++;
      }
    }
  } finally {
    await subscription.close();
  }
  return applied;
}
