import type { EventStore } from '@spillway/event-streams';
import { deliveriesStreamName } from '@spillway/pipeline-events';
import type { SequencedExport } from './export-sequencer.ts';
import { agentOutputEvents } from './outcome-events.ts';

/**
 * The newest export of a (dataflow, profile) delivered so far, read from `deliveries-<dataflowId>`.
 * Only a replay of a profile the agent does not remember needs it: replays are rare and asked
 * for by an operator, so a read of the dataflow's outcomes is an acceptable price.
 */
export async function newestDeliveredIn(store: EventStore, dataflowId: string, profileId: string): Promise<SequencedExport | undefined> {
  const events = await store.readStreamEvents(deliveriesStreamName(dataflowId), { ...agentOutputEvents, unknownTypes: 'ignore' });
  let newest: SequencedExport | undefined;
  for (const { event } of events) {
    if (event.type !== 'ExportDelivered' || event.data.profileId !== profileId) continue;
    if (newest === undefined || event.data.sequence > newest.sequence) newest = { exportId: event.data.exportId, sequence: event.data.sequence };
  }
  return newest;
}
