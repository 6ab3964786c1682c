import { defineEvents, type EventStore } from '@spillway/event-streams';
import { backfillEventSchemas, backfillStreamName, summarizeBackfills, type BackfillStatus } from '@spillway/pipeline-events';

const backfillEvents = defineEvents(backfillEventSchemas, { unknownTypes: 'ignore' });

/** The backfills of a dataflow (one per configuration event that asked for one, per decider partition), from `backfill-<dataflowId>`. */
export async function readBackfills(store: EventStore, dataflowId: string): Promise<BackfillStatus[]> {
  const events = await store.readStreamEvents(backfillStreamName(dataflowId), backfillEvents);
  return summarizeBackfills(events.map((stored) => stored.event));
}

/**
 * How far the scan is, 0..1: the backfill reads the log from its start up to the configuration
 * event, so the scanned position over that event's position tells the share done. Profile counts
 * are not known before the scan reaches them.
 */
export function shareDone(status: BackfillStatus): number {
  if (status.state === 'completed') return 1;
  if (status.position === undefined) return 0;
  const commit = (text: string) => Number(text.split('/')[0]);
  const upTo = commit(status.upToPosition);
  return upTo > 0 ? Math.min(1, commit(status.position) / upTo) : 0;
}

export function progressBar(share: number, width = 30): string {
  const filled = Math.floor(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/** One line per backfill: state, audiences, scanned, exported, how far, rate. */
export function backfillLine(status: BackfillStatus): string {
  const rate = status.state === 'running' && status.ratePerSecond !== undefined ? `, ${status.ratePerSecond} profiles/s` : '';
  const partition = status.partition === '0/1' ? '' : ` partition ${status.partition}`;
  return `${status.state.padEnd(9)} ${progressBar(shareDone(status))}  audiences ${status.audienceIds.join(', ')}${partition}: scanned ${status.scanned}, exported ${status.exported}${rate} (since ${status.startedAt})`;
}

/** For `--json`: each status with its share done. */
export const backfillJson = (statuses: readonly BackfillStatus[]) => statuses.map((status) => ({ ...status, shareDone: shareDone(status) }));
