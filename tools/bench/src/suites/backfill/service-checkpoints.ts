import { createStreamCheckpointStore, partitionConsumerName, wholePartition, type EventStore } from '@spillway/event-streams';
import { serviceNames } from '../pipeline/stack.ts';

/**
 * Stores the head of the log as each service's checkpoint, before the services first start: as
 * if they had handled the seeded history when it was written (as they would have, live). Without
 * it each would read the whole seeded log from the start, and the decider would decide it again.
 */
export async function checkpointServicesAtHead(store: EventStore): Promise<void> {
  const head = await store.readHeadPosition();
  if (!head) return;
  const checkpoints = createStreamCheckpointStore(store);
  for (const service of serviceNames) await checkpoints.save(partitionConsumerName(service, wholePartition), head);
}
