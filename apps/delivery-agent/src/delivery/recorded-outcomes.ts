import { isInPartition, type EventStore, type Partition, type Position } from '@spillway/event-streams';
import { agentOutputEvents } from './outcome-events.ts';

/** Export ids whose outcome is already in the store, each forgotten once looked up. */
export interface RecordedOutcomes {
  /** True (once) when the export's outcome was recorded before this start. */
  consume(exportId: string): boolean;
  size(): number;
  /** Drops what is left (once the consumer is past everything recorded before this start). */
  clear(): void;
}

export const noRecordedOutcomes: RecordedOutcomes = { consume: () => false, size: () => 0, clear: () => {} };

export function recordedOutcomesOf(exportIds: Iterable<string>): RecordedOutcomes {
  const ids = new Set(exportIds);
  return { consume: (exportId) => ids.delete(exportId), size: () => ids.size, clear: () => ids.clear() };
}

/**
 * The consumer resumes from its checkpoint, which trails the exports it finished after it (the
 * checkpoint is a low watermark; a crash loses up to a second of progress). Their outcomes are
 * in the store: reading the outcomes recorded after the checkpoint lets the agent skip them, so
 * a restart re-sends only what was in flight.
 */
export async function loadRecordedOutcomes(
  store: EventStore,
  options: {
    readonly after: Position | undefined;
    /** `deliveries-`, or narrower. */
    readonly streamPrefix: string;
    readonly partition: Partition;
    readonly logFields: Readonly<Record<string, unknown>>;
  },
): Promise<RecordedOutcomes> {
  const subscription = store.openAllSubscription({
    catalog: { ...agentOutputEvents, unknownTypes: 'ignore' },
    from: options.after ?? 'start',
    filter: { streamNamePrefixes: [options.streamPrefix] },
    logFields: { ...options.logFields, purpose: 'outcomes recorded after the checkpoint' },
  });
  const exportIds: string[] = [];
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'event' && isInPartition(message.event.data.profileId, options.partition)) exportIds.push(message.event.data.exportId);
    }
  } finally {
    await subscription.close();
  }
  return recordedOutcomesOf(exportIds);
}
