import { z } from 'zod';
import { defineEvents, type CheckpointStore, type EventStore } from '@spillway/event-streams';
import { managerStateSchema, type ManagerState } from './manager-state.ts';

const decimal = z.string().regex(/^\d+$/);

export const stateCheckpointEvents = defineEvents({
  AlertManagerCheckpointed: z.strictObject({ consumer: z.string(), commit: decimal, prepare: decimal, state: managerStateSchema }),
});

export const stateCheckpointStreamName = (consumer: string): string => `spillway-state-${consumer}`;

/**
 * The consumer's checkpoint stored together with what the manager knew at that position (the
 * subscriptions, open circuits and alerts, the rules' windows), in one event: a restart resumes
 * from the position with the state of that position, so an open alert is not raised again.
 */
export function createStateCheckpointStore(store: EventStore, state: { get(): ManagerState; set(state: ManagerState): void }, keep = 3): CheckpointStore {
  let limited = false;
  return {
    async load(consumer) {
      const [latest] = await store.readStreamEvents(stateCheckpointStreamName(consumer), stateCheckpointEvents, { direction: 'backwards', maxCount: 1 });
      if (!latest) return undefined;
      state.set(latest.event.data.state);
      return { commit: BigInt(latest.event.data.commit), prepare: BigInt(latest.event.data.prepare) };
    },
    async save(consumer, position) {
      const stream = stateCheckpointStreamName(consumer);
      const snapshot = state.get();
      if (!limited) {
        await store.setStreamMaxCount(stream, keep);
        limited = true;
      }
      await store.appendEvents(stream, stateCheckpointEvents, [
        { type: 'AlertManagerCheckpointed', data: { consumer, commit: String(position.commit), prepare: String(position.prepare), state: snapshot } },
      ]);
    },
  };
}
