import { eachStreamEventBackwards, type EventStore } from '@spillway/event-streams';
import { deliveriesStreamName, type ExportRequested } from '@spillway/pipeline-events';
import type { SequencedExport } from './export-sequencer.ts';
import { agentOutputEvents } from './outcome-events.ts';

/**
 * How far before a replayed export's decision a newer export's delivery can be recorded: none
 * can, on one clock; this allows for the decider's and the store's clocks to differ.
 */
export const clockSkewAllowanceMs = 15 * 60_000;

/**
 * The newest export of a (dataflow, profile) delivered since `replayed` was decided, read from
 * `deliveries-<dataflowId>` backwards. Only a replay of a profile the agent does not remember
 * needs it. Deliveries of a profile are recorded in sequence order, so the first one found going
 * back is the newest; and an export newer than `replayed` was decided after it, so the read stops
 * at deliveries recorded before that: a replay costs the deliveries since its export, not the stream.
 */
export async function newestDeliveredIn(store: EventStore, replayed: ExportRequested): Promise<SequencedExport | undefined> {
  const stopBeforeMs = Date.parse(replayed.decidedAt) - clockSkewAllowanceMs;
  for await (const { event, recordedAt } of eachStreamEventBackwards(store, deliveriesStreamName(replayed.dataflowId), agentOutputEvents)) {
    if (recordedAt.getTime() < stopBeforeMs) return undefined;
    if (event.type === 'ExportDelivered' && event.data.profileId === replayed.profileId) return { exportId: event.data.exportId, sequence: event.data.sequence };
  }
  return undefined;
}
