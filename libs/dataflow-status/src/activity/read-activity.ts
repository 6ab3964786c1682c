import type { CatalogEvent, EventCatalog, EventStore, StoredEvent } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName } from '@spillway/pipeline-events';
import { deadLetteredEvents, deliveryOutcomeEvents } from '../outcome-catalogs.ts';
import { createActivityFold, type ActivityEvent, type ActivityWindow, type DataflowActivity } from './activity-fold.ts';


/** Events read per backwards page. */
const pageSize = 500;

/**
 * A dataflow's activity in the window, read from its own `deliveries-<id>` and `deadletters-<id>`
 * streams backwards, page by page, until an event recorded before the window starts: the cost
 * is the window's events, not the log's. (An event is recorded after it happened, so nothing
 * older in the stream can fall in the window.)
 */
export async function readDataflowActivity(store: EventStore, dataflowId: string, window: ActivityWindow): Promise<DataflowActivity> {
  const fold = createActivityFold(window);
  await readBackUntil(store, deliveriesStreamName(dataflowId), deliveryOutcomeEvents, fold.fromMs, fold.add);
  await readBackUntil(store, deadlettersStreamName(dataflowId), deadLetteredEvents, fold.fromMs, fold.add);
  return fold.result();
}

async function readBackUntil<C extends EventCatalog>(store: EventStore, stream: string, catalog: C, fromMs: number, add: (event: ActivityEvent) => void): Promise<void> {
  let from: bigint | 'end' = 'end';
  for (;;) {
    const page: StoredEvent<CatalogEvent<C>>[] = await store.readStreamEvents(stream, catalog, { direction: 'backwards', from, maxCount: pageSize });
    for (const stored of page) {
      if (stored.recordedAt.getTime() < fromMs) return;
      add(stored.event as ActivityEvent);
    }
    const last = page.at(-1);
    // Only the agent writes these streams, and only the types read here: an empty page is the stream's start.
    if (last === undefined || last.revision === 0n) return;
    from = last.revision - 1n;
  }
}
