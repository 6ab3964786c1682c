import { comparePositions, type EventStore, type Position } from '@spillway/event-streams';
import { configurationEvents, configurationStreamPrefixes } from './configuration-events.ts';
import type { ConfigurationFollower } from './configuration-follower.ts';

export interface ConfigurationLoad {
  /** Resolves with the number of events applied once everything up to the position is folded. */
  readonly done: Promise<number>;
  /** Stops loading (shutdown during start). */
  close(): Promise<void>;
}

/**
 * The configuration is kept in memory, but the consumer resumes from its checkpoint: at start,
 * the configuration events up to that checkpoint (inclusive) are folded first, so the decisions
 * after it use the configuration as of their place in the log, as they would have without the
 * restart. Backfill requests of those events are not repeated (they were made before).
 */
export function loadConfigurationUpTo(store: EventStore, follower: ConfigurationFollower, upTo: Position, logFields: Readonly<Record<string, unknown>>): ConfigurationLoad {
  const subscription = store.openAllSubscription({
    catalog: configurationEvents,
    from: 'start',
    filter: { streamNamePrefixes: configurationStreamPrefixes },
    logFields: { ...logFields, purpose: 'configuration up to the checkpoint' },
  });
  const isPast = (position: Position | undefined) => position !== undefined && comparePositions(position, upTo) > 0;
  const load = async (): Promise<number> => {
    let applied = 0;
    try {
      for await (const message of subscription.messages) {
        if (message.kind === 'caught-up') break;
        if (message.kind === 'checkpoint') {
          if (comparePositions(message.position, upTo) >= 0) break;
          continue;
        }
        if (isPast(message.position)) break;
        if (message.kind === 'event') {
          follower.apply(message, { replaying: true });
          applied++;
        }
      }
    } finally {
      await subscription.close();
    }
    return applied;
  };
  return { done: load(), close: () => subscription.close() };
}
