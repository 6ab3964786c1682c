import { defineEvents, type EventStore } from '@spillway/event-streams';
import { backfillEventSchemas, backfillStreamName, type BackfillEvent } from '@spillway/pipeline-events';

const backfillEvents = defineEvents(backfillEventSchemas);

/** The newest event of a dataflow's backfill stream: started, progress or completed. */
export async function latestBackfillEvent(store: EventStore, dataflowId: string): Promise<BackfillEvent | undefined> {
  const [latest] = await store.readStreamEvents(backfillStreamName(dataflowId), backfillEvents, { direction: 'backwards', maxCount: 1 });
  return latest?.event as BackfillEvent | undefined;
}
