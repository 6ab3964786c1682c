import { z } from 'zod';
import type { EventStore } from './connection.ts';
import { defineEvents } from './catalog.ts';
import type { Position } from './position.ts';

/** Where a consumer keeps the $all position of the last event it finished with. */
export interface CheckpointStore {
  load(consumer: string): Promise<Position | undefined>;
  save(consumer: string, position: Position): Promise<void>;
}

const decimal = z.string().regex(/^\d+$/);
export const checkpointEvents = defineEvents({
  CheckpointStored: z.object({ consumer: z.string(), commit: decimal, prepare: decimal }),
});

/**
 * An ordinary stream (`$`-prefixed names are system streams on a real server), so any
 * EventStoreDB accepts the writes; `$maxCount` keeps only the last few checkpoints.
 */
export const checkpointStreamName = (consumer: string) => `spillway-checkpoint-${consumer}`;

export function createStreamCheckpointStore(store: EventStore, options: { readonly keep?: number } = {}): CheckpointStore {
  const keep = options.keep ?? 5;
  const limited = new Set<string>();
  return {
    async load(consumer) {
      const [latest] = await store.readStreamEvents(checkpointStreamName(consumer), checkpointEvents, {
        direction: 'backwards',
        maxCount: keep,
      });
      if (!latest) return undefined;
      return { commit: BigInt(latest.event.data.commit), prepare: BigInt(latest.event.data.prepare) };
    },
    async save(consumer, position) {
      const stream = checkpointStreamName(consumer);
      if (!limited.has(stream)) {
        await store.setStreamMaxCount(stream, keep);
        limited.add(stream);
      }
      await store.appendEvents(stream, checkpointEvents, [
        { type: 'CheckpointStored', data: { consumer, commit: String(position.commit), prepare: String(position.prepare) } },
      ]);
    },
  };
}
