import { deliveryRecordTimeMs } from '@spillway/pipeline-events';
import type { BackfillCompleted, BackfillProgress, BackfillStarted, CircuitClosed, CircuitOpened, ExportAttemptFailed, ExportDeadLettered, ExportDelivered, ExportFailed } from '@spillway/pipeline-events';
import type { AlertState, RequestBucket } from './alert-state.ts';

/** The events the rules measure (the alert manager routes each to the dataflows it concerns). */
export type AlertInputEvent =
  | { readonly type: 'ExportDelivered'; readonly data: ExportDelivered }
  | { readonly type: 'ExportAttemptFailed'; readonly data: ExportAttemptFailed }
  | { readonly type: 'ExportFailed'; readonly data: ExportFailed }
  | { readonly type: 'ExportDeadLettered'; readonly data: ExportDeadLettered }
  | { readonly type: 'CircuitOpened'; readonly data: CircuitOpened }
  | { readonly type: 'CircuitClosed'; readonly data: CircuitClosed }
  | { readonly type: 'BackfillStarted'; readonly data: BackfillStarted }
  | { readonly type: 'BackfillProgress'; readonly data: BackfillProgress }
  | { readonly type: 'BackfillCompleted'; readonly data: BackfillCompleted };

/** When the event happened, by the clock of the service that wrote it (ms since the epoch). */
export function occurredAt(event: AlertInputEvent): number {
  switch (event.type) {
    case 'CircuitOpened':
      return Date.parse(event.data.openedAt);
    case 'CircuitClosed':
      return Date.parse(event.data.closedAt);
    case 'BackfillStarted':
      return Date.parse(event.data.startedAt);
    case 'BackfillProgress':
      return Date.parse(event.data.at);
    case 'BackfillCompleted':
      return Date.parse(event.data.completedAt);
    default:
      return deliveryRecordTimeMs(event);
  }
}

/** Kept per dataflow at most (the state is stored with every checkpoint): the p95 is taken over the newest ones. */
export const maxDelaySamples = 1_000;

/** Folds one event into the measurements; the open alerts are the evaluator's business. */
export function observe(state: AlertState, event: AlertInputEvent): AlertState {
  switch (event.type) {
    case 'ExportDelivered':
      return delivered(state, event.data);
    case 'ExportAttemptFailed':
      // Attempt 0 is a destination that could not be used: no request was sent.
      return event.data.attempt === 0 ? state : { ...state, requests: countRequest(state.requests, Date.parse(event.data.startedAt), true) };
    case 'ExportFailed':
      // The last attempt's failure (the earlier ones each had their ExportAttemptFailed).
      return event.data.attempts === 0 ? state : { ...state, requests: countRequest(state.requests, Date.parse(event.data.failedAt), true) };
    case 'ExportDeadLettered':
      return { ...state, lastDeadLetter: { at: Date.parse(event.data.deadLetteredAt), reason: event.data.reason } };
    case 'CircuitOpened':
      return { ...state, circuit: { openedAt: Date.parse(event.data.openedAt), failures: event.data.failures, lastError: event.data.lastError } };
    case 'CircuitClosed':
      return { ...state, circuit: null };
    case 'BackfillStarted': {
      const startedAt = Date.parse(event.data.startedAt);
      return backfillActivity({ ...state, historyBefore: Math.max(state.historyBefore ?? startedAt, startedAt) }, event.data, startedAt);
    }
    case 'BackfillProgress':
      return backfillActivity(state, event.data, Date.parse(event.data.at));
    case 'BackfillCompleted': {
      const { [backfillKey(event.data)]: _completed, ...running } = state.backfills;
      return { ...state, backfills: running };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown alert input ${JSON.stringify(unknown)}`);
    }
  }
}

function delivered(state: AlertState, data: ExportDelivered): AlertState {
  const at = Date.parse(data.deliveredAt);
  const ingestedAt = Date.parse(data.ingestedAt);
  const requests = countRequest(state.requests, at, false);
  // A profile ingested before the latest backfill started was exported by it (history), and a replay
  // re-sends a dead letter when a user asks: one request each, no delay sample.
  if (data.replayId !== undefined || (state.historyBefore !== null && ingestedAt < state.historyBefore)) return { ...state, requests };
  const delays = [...state.delays, { at, delayMs: Math.max(0, at - ingestedAt) }];
  return { ...state, requests, delays: delays.length > maxDelaySamples ? delays.slice(-maxDelaySamples) : delays };
}

const backfillKey = (data: { readonly backfillId: string; readonly partition: string }): string => `${data.backfillId} ${data.partition}`;

function backfillActivity(state: AlertState, data: BackfillStarted | BackfillProgress, at: number): AlertState {
  const key = backfillKey(data);
  const known = state.backfills[key];
  if (known && known.lastActivityAt >= at) return state;
  return { ...state, backfills: { ...state.backfills, [key]: { backfillId: data.backfillId, partition: data.partition, lastActivityAt: at } } };
}

function countRequest(buckets: readonly RequestBucket[], at: number, failed: boolean): RequestBucket[] {
  const second = Math.floor(at / 1000) * 1000;
  const index = buckets.findIndex((bucket) => bucket.second === second);
  if (index === -1) return [...buckets, { second, total: 1, failed: failed ? 1 : 0 }].sort((a, b) => a.second - b.second);
  return buckets.map((bucket, i) => (i === index ? { second, total: bucket.total + 1, failed: bucket.failed + (failed ? 1 : 0) } : bucket));
}

/** Drops the measurements older than the rules' windows. */
export function pruneWindows(state: AlertState, now: number, windows: { readonly requestsMs: number; readonly delaysMs: number }): AlertState {
  const requestsFrom = now - windows.requestsMs;
  const delaysFrom = now - windows.delaysMs;
  const requests = state.requests.filter((bucket) => bucket.second + 1000 > requestsFrom);
  const delays = state.delays.filter((sample) => sample.at > delaysFrom);
  if (requests.length === state.requests.length && delays.length === state.delays.length) return state;
  return { ...state, requests, delays };
}
