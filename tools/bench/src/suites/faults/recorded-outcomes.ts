import type { EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, exportsStreamName } from '@spillway/pipeline-events';
import type { RecordedOutcomes } from './fault-figures.ts';
import { deadLetteredEvents, deliveryOutcomeEvents, exportRequestEvents } from '@spillway/dataflow-status';


/** Reads what the decider requested and what the agent recorded for one dataflow. */
export async function readRecordedOutcomes(store: EventStore, dataflowId: string): Promise<RecordedOutcomes & { readonly final: number }> {
  const readOrNothing = async <T>(read: () => Promise<T[]>): Promise<T[]> => read().catch(() => []);
  const requested = await readOrNothing(() => store.readStreamEvents(exportsStreamName(dataflowId), exportRequestEvents));
  const outcomes = (await readOrNothing(() => store.readStreamEvents(deliveriesStreamName(dataflowId), deliveryOutcomeEvents))).map((stored) => stored.event);
  const deadLetters = await readOrNothing(() => store.readStreamEvents(deadlettersStreamName(dataflowId), deadLetteredEvents));
  const deliveredAttempts = outcomes.flatMap((event) => (event.type === 'ExportDelivered' ? [event.data.attempts] : []));
  const count = (type: (typeof outcomes)[number]['type']) => outcomes.filter((event) => event.type === type).length;
  return {
    requested: requested.length,
    deliveredAttempts,
    retried: count('ExportAttemptFailed'),
    superseded: count('ExportSuperseded'),
    deadLettered: deadLetters.length,
    final: deliveredAttempts.length + count('ExportSuperseded') + count('ExportFailed'),
  };
}
