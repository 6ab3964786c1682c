import { comparePositions, type EventStore, type Position } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
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
    /** Only the events after this position (already loaded before it). @defaultValue the start of the log */
    readonly after?: Position | undefined;
    readonly upTo: Position;
    /** `destination-`, or narrower. */
    readonly streamPrefix: string;
    readonly logFields: Readonly<Record<string, unknown>>;
  },
): Promise<number> {
  const { upTo, logFields } = options;
  const subscription = store.openAllSubscription({
    catalog: destinationEvents,
    from: options.after ?? 'start',
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

/**
 * Loads the destinations up to each dataflow consumer's checkpoint as it starts, reading each
 * stretch of the log once: a consumer whose checkpoint is behind what was loaded already needs
 * nothing more (the registry keeps the newest event of each destination either way).
 */
export function createDestinationLoader(
  store: EventStore,
  registry: DestinationRegistry,
  options: { readonly streamPrefix: string; readonly logger: Logger; readonly logFields: Readonly<Record<string, unknown>> },
): { upTo(position: Position): Promise<void> } {
  let loadedUpTo: Position | undefined;
  let loading: Promise<void> = Promise.resolve();
  return {
    upTo(position) {
      const next = loading.then(async () => {
        if (loadedUpTo !== undefined && comparePositions(position, loadedUpTo) <= 0) return;
        const applied = await loadDestinationsUpTo(store, registry, { after: loadedUpTo, upTo: position, streamPrefix: options.streamPrefix, logFields: options.logFields });
        loadedUpTo = position;
        options.logger.info('destinations loaded up to the checkpoint', { ...options.logFields, applied, ...registry.counts() });
      });
      loading = next.catch(() => {});
      return next;
    },
  };
}
