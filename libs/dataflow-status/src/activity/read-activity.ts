import { eachStreamEventBackwards, type EventCatalog, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName } from '@spillway/pipeline-events';
import { deadLetterStreamEvents, deliveryOutcomeEvents } from '../outcome-catalogs.ts';
import { createActivityFold, type ActivityEvent, type ActivityWindow, type DataflowActivity } from './activity-fold.ts';

/**
 * A dataflow's activity in the window, read from its own `deliveries-<id>` and `deadletters-<id>`
 * streams backwards, page by page, until an event recorded before the window starts: the cost
 * is the window's events, not the log's. (An event is recorded after it happened, so nothing
 * older in the stream can fall in the window.)
 */
export async function readDataflowActivity(store: EventStore, dataflowId: string, window: ActivityWindow): Promise<DataflowActivity> {
  const fold = createActivityFold(window);
  await readBackUntil(store, deliveriesStreamName(dataflowId), deliveryOutcomeEvents, fold.fromMs, fold.add);
  await readBackUntil(store, deadlettersStreamName(dataflowId), deadLetterStreamEvents, fold.fromMs, fold.add);
  return fold.result();
}

async function readBackUntil<C extends EventCatalog>(store: EventStore, stream: string, catalog: C, fromMs: number, add: (event: ActivityEvent) => void): Promise<void> {
  for await (const stored of eachStreamEventBackwards(store, stream, catalog)) {
    if (stored.recordedAt.getTime() < fromMs) return;
    // A replay mark is no activity of its own.
    if (stored.event.type !== 'DeadLetterReplayed') add(stored.event as ActivityEvent);
  }
}
