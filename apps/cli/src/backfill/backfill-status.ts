import { defineEvents, type EventStore } from '@spillway/event-streams';
import { backfillEventSchemas, backfillStreamName, summarizeBackfills, type BackfillStatus } from '@spillway/pipeline-events';

const backfillEvents = defineEvents(backfillEventSchemas, { unknownTypes: 'ignore' });

/** The backfills of a dataflow (one per configuration event that asked for one, per decider partition), from `backfill-<dataflowId>`. */
export async function readBackfills(store: EventStore, dataflowId: string): Promise<BackfillStatus[]> {
  const events = await store.readStreamEvents(backfillStreamName(dataflowId), backfillEvents);
  return summarizeBackfills(events.map((stored) => stored.event));
}

export function progressBar(share: number, width = 30): string {
  const filled = Math.floor(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/** One line per backfill: state, audiences, scanned, exported, how far, rate. */
export function backfillLine(status: BackfillStatus): string {
  const rate = status.state === 'running' && status.ratePerSecond !== undefined ? `, ${status.ratePerSecond} profiles/s` : '';
  const left =
    status.state === 'running' && status.remainingEstimate !== undefined
      ? `, about ${status.remainingEstimate} left${status.secondsLeftEstimate !== undefined ? ` (~${status.secondsLeftEstimate} s)` : ''}`
      : '';
  const partition = status.partition === '0/1' ? '' : ` partition ${status.partition}`;
  return `${status.state.padEnd(9)} ${progressBar(status.shareDone)}  audiences ${status.audienceIds.join(', ')}${partition}: scanned ${status.scanned}, exported ${status.exported}${rate}${left} (since ${status.startedAt})`;
}

