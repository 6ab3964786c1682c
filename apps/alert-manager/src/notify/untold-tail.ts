import { alertNotificationStreamName } from '@spillway/alert-rules';
import { eachStreamEventBackwards, readLatest, type EventStore } from '@spillway/event-streams';
import { alertStreamName } from '@spillway/pipeline-events';
import { alertEvents } from '../manager/write-decisions.ts';
import { notificationEvents } from './notifier.ts';

/**
 * Where a dataflow's untold decisions start: the revision in `alerts-<dataflowId>` after the last
 * one with an outcome, and the ids to skip from there (none, unless that decision is missing).
 */
export interface UntoldTail {
  readonly from: bigint;
  readonly skip: ReadonlySet<string>;
}

/**
 * Finds the untold tail of a dataflow's decisions. Decisions are told one at a time in stream
 * order, so the told ones are a prefix: only the newest outcome is read, and the decisions back
 * to it (the untold tail, page by page), not either stream whole.
 */
export async function findUntoldTail(store: EventStore, dataflowId: string): Promise<UntoldTail> {
  const last = await readLatest(store, alertNotificationStreamName(dataflowId), notificationEvents);
  if (last === undefined) return { from: 0n, skip: new Set() };
  const lastTold = last.event.data.alertEventId;
  for await (const decision of eachStreamEventBackwards(store, alertStreamName(dataflowId), alertEvents)) {
    if (decision.eventId === lastTold) return { from: decision.revision + 1n, skip: new Set() };
  }
  // The prefix rule does not hold here (the decisions stream was truncated or rewritten): fall
  // back to every outcome, so nothing told is told again.
  const outcomes = await store.readStreamEvents(alertNotificationStreamName(dataflowId), notificationEvents);
  return { from: 0n, skip: new Set(outcomes.map((outcome) => outcome.event.data.alertEventId)) };
}
