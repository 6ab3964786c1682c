import type { EventStore } from '@spillway/event-streams';

/** Per-dataflow figures for `dataflows show` (product.md section 10). */
export interface DataflowCounts {
  /** Profile changes the decider considered for this dataflow. */
  readonly received: number;
  /** Export requests it decided to send. */
  readonly exported: number;
  /** Exports the endpoint accepted. */
  readonly delivered: number;
  /** Exports that failed for good (dead-lettered or abandoned). */
  readonly failed: number;
}

export type DataflowCountsReader = (store: EventStore, dataflowId: string) => Promise<DataflowCounts | undefined>;

/**
 * HOOK: the counts come from the pipeline's internal streams (export requests, delivery
 * results), which are not designed yet. Until they are, there are no counts to read, and
 * `dataflows show` says so rather than printing zeros. Replace this body (keeping the
 * signature) once those streams exist; the output already handles a DataflowCounts value.
 */
export const readDataflowCounts: DataflowCountsReader = async () => undefined;

export function countsLine(counts: DataflowCounts | undefined): string {
  if (counts === undefined) return 'counts: not available yet';
  return `counts: received ${counts.received}, exported ${counts.exported}, delivered ${counts.delivered}, failed ${counts.failed}`;
}
