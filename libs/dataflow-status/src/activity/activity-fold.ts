import { deliveryRecordTimeMs, type DeliveryRecord } from '@spillway/pipeline-events';
import { createLatencySummary, type LatencySummary } from '../latency-summary.ts';

/** The events of `deliveries-<id>` and `deadletters-<id>` the activity counts. */
export type ActivityEvent = DeliveryRecord;

export interface ActivityWindow {
  /** The end of the window (epoch ms): its last bucket is the one holding this instant. */
  readonly endMs: number;
  /** @defaultValue 60_000 (one minute) */
  readonly bucketMs?: number;
  /** @defaultValue 60 (with one-minute buckets: the last hour) */
  readonly buckets?: number;
}

export interface ActivityFigures {
  /** Exports the endpoint accepted. */
  readonly delivered: number;
  /** Exports that failed for good (`ExportFailed`). */
  readonly failed: number;
  /** Failed attempts that were followed by a retry (`ExportAttemptFailed`). */
  readonly retried: number;
  /** Exports not sent (any more) because a newer one of the same profile came. */
  readonly superseded: number;
  /** Exports given up and kept as dead letters. */
  readonly deadLettered: number;
  /** Failed HTTP requests by answer: the status (`"503"`), the network error code (`"ECONNREFUSED"`), or `"not-sent"`. */
  readonly failedRequests: Readonly<Record<string, number>>;
  /** From ingest to the endpoint's answer, over the exports delivered in the bucket; absent when none was. */
  readonly latencyMs?: { readonly p50: number; readonly p95: number };
}

export interface ActivityBucket extends ActivityFigures {
  /** The bucket's start (ISO 8601); it covers [start, start + bucketMs). */
  readonly start: string;
}

export interface DataflowActivity {
  readonly from: string;
  readonly to: string;
  readonly bucketMs: number;
  readonly totals: ActivityFigures;
  /** Oldest first, every bucket of the window, empty ones included. */
  readonly buckets: readonly ActivityBucket[];
}

export const defaultActivityWindow = { bucketMs: 60_000, buckets: 60 } as const;

interface Tally {
  delivered: number;
  failed: number;
  retried: number;
  superseded: number;
  deadLettered: number;
  failedRequests: Map<string, number>;
  latency: LatencySummary;
}

const emptyTally = (): Tally => ({ delivered: 0, failed: 0, retried: 0, superseded: 0, deadLettered: 0, failedRequests: new Map(), latency: createLatencySummary() });

const answerKey = (answer: { readonly status?: number | undefined; readonly errorCode?: string | undefined }) =>
  answer.status !== undefined ? String(answer.status) : (answer.errorCode ?? 'not-sent');

function count(tally: Tally, event: ActivityEvent): void {
  const failedRequest = (key: string) => tally.failedRequests.set(key, (tally.failedRequests.get(key) ?? 0) + 1);
  switch (event.type) {
    case 'ExportDelivered':
      tally.delivered++;
      tally.latency.add(Date.parse(event.data.deliveredAt) - Date.parse(event.data.ingestedAt));
      return;
    case 'ExportFailed':
      tally.failed++;
      // The last attempt's answer; the earlier ones were each an ExportAttemptFailed.
      failedRequest(event.data.attempts === 0 ? 'not-sent' : answerKey(event.data));
      return;
    case 'ExportAttemptFailed':
      tally.retried++;
      failedRequest(event.data.attempt === 0 ? 'not-sent' : answerKey(event.data));
      return;
    case 'ExportSuperseded':
      tally.superseded++;
      return;
    case 'ExportDeadLettered':
      tally.deadLettered++;
      return;
  }
}

function figures(tally: Tally): ActivityFigures {
  const p50 = tally.latency.percentile(0.5);
  const p95 = tally.latency.percentile(0.95);
  const failedRequests = Object.fromEntries([...tally.failedRequests.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    delivered: tally.delivered,
    failed: tally.failed,
    retried: tally.retried,
    superseded: tally.superseded,
    deadLettered: tally.deadLettered,
    failedRequests,
    ...(p50 !== undefined && p95 !== undefined ? { latencyMs: { p50, p95 } } : {}),
  };
}

/**
 * A dataflow's activity in fixed buckets (by default the last hour in one-minute buckets),
 * folded one event at a time in any order: memory is the buckets, whatever the volume.
 * Events outside the window are left out.
 */
export function createActivityFold(window: ActivityWindow) {
  const bucketMs = window.bucketMs ?? defaultActivityWindow.bucketMs;
  const bucketCount = window.buckets ?? defaultActivityWindow.buckets;
  const lastStart = Math.floor(window.endMs / bucketMs) * bucketMs;
  const fromMs = lastStart - (bucketCount - 1) * bucketMs;
  const toMs = lastStart + bucketMs;
  const buckets = Array.from({ length: bucketCount }, emptyTally);
  const totals = emptyTally();
  return {
    fromMs,
    add(event: ActivityEvent): void {
      const at = deliveryRecordTimeMs(event);
      if (!(at >= fromMs && at < toMs)) return;
      count(buckets[Math.floor((at - fromMs) / bucketMs)]!, event);
      count(totals, event);
    },
    result(): DataflowActivity {
      return {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        bucketMs,
        totals: figures(totals),
        buckets: buckets.map((tally, index) => ({ start: new Date(fromMs + index * bucketMs).toISOString(), ...figures(tally) })),
      };
    },
  };
}

export function foldActivity(events: Iterable<ActivityEvent>, window: ActivityWindow): DataflowActivity {
  const fold = createActivityFold(window);
  for (const event of events) fold.add(event);
  return fold.result();
}
