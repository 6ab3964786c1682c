import { comparePositions, formatPosition, type Position } from '@spillway/event-streams';
import {
  countsSnapshotVersion,
  deadlettersStreamName,
  deliveriesStreamName,
  exportsStreamName,
  internalStreamPrefixes,
  type DataflowCountsSnapshotted,
} from '@spillway/pipeline-events';
import { dataflowStreamName } from '@spillway/xdm';
import { createLatencySummary } from '../latency-summary.ts';
import type { CountedEvent } from './counted-events.ts';

/** Per-dataflow figures for `dataflows show` and the API's status route (product.md section 10). */
export interface DataflowCounts {
  /**
   * Profile changes the dataflow received: every `ProfileChanged` recorded while the dataflow was
   * configured and enabled. The decider evaluates each of them against the dataflow's rules.
   */
  readonly received: number;
  /** Export requests the decider wrote for it (`ExportRequested` in `exports-<id>`). */
  readonly exported: number;
  /** Exports the endpoint accepted (`ExportDelivered` in `deliveries-<id>`). */
  readonly delivered: number;
  /** Exports that failed for good (`ExportFailed` in `deliveries-<id>`). */
  readonly failed: number;
  /** Exports not sent (any more) because a newer one of the same profile came (`ExportSuperseded` in `deliveries-<id>`). */
  readonly superseded: number;
  /** Exports given up and kept for replay (`ExportDeadLettered` in `deadletters-<id>`). */
  readonly deadLettered: number;
  /** From the ingest event's append to the endpoint's answer, over the delivered exports; absent when none was delivered. */
  readonly latencyMs?: { readonly p50: number; readonly p95: number };
}

/** What one reading went through since the snapshot it started from. */
export interface CountsScan {
  /** Events the filtered scan handed over (profile changes included). */
  readonly events: number;
  readonly profileChanges: number;
  /**
   * Checkpoints of the filtered scan: the store sends one every so many events it scanned, matching
   * or not (32 with the client's defaults), so they measure the part of the log the filter left out.
   */
  readonly checkpoints: number;
}

export interface CountsTally {
  /** The stream-name prefixes to scan `$all` with. They also match other dataflows' streams: `see` leaves those out. */
  readonly prefixes: readonly string[];
  /** Where the scan continues: after the restored snapshot's position, or from the start. */
  readonly from: Position | 'start';
  see(streamId: string, event: CountedEvent, position: Position | undefined): void;
  /** Everything up to `position` was scanned: an event that could not be read. */
  passed(position: Position | undefined): void;
  /** Everything up to `position` was scanned: a checkpoint of the filtered scan. */
  checkpoint(position: Position): void;
  counts(): DataflowCounts;
  scanned(): CountsScan;
  /** The state to restore from, as of the last position scanned; undefined while nothing was scanned at all. */
  snapshot(): DataflowCountsSnapshotted | undefined;
}

/**
 * The counts of one dataflow folded event by event, from nothing or from a snapshot: restoring a
 * snapshot and going on gives what one pass over the whole log gives.
 */
export function createCountsTally(dataflowId: string, restored?: DataflowCountsSnapshotted): CountsTally {
  const streams = {
    dataflow: dataflowStreamName(dataflowId),
    exports: exportsStreamName(dataflowId),
    deliveries: deliveriesStreamName(dataflowId),
    deadletters: deadlettersStreamName(dataflowId),
  };
  const counts = { received: 0, exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0, ...restored?.counts };
  const latency = createLatencySummary(restored?.latencyBuckets);
  let enabled = restored?.enabled ?? false;
  let position = restored ? parsePositionText(restored.position) : undefined;
  const from = position ?? 'start';
  const scanned = { events: 0, profileChanges: 0, checkpoints: 0 };
  const counted = {
    ExportRequested: [streams.exports, 'exported'],
    ExportFailed: [streams.deliveries, 'failed'],
    ExportSuperseded: [streams.deliveries, 'superseded'],
    ExportDeadLettered: [streams.deadletters, 'deadLettered'],
  } as const satisfies Record<string, readonly [string, keyof typeof counts]>;

  const passed = (at: Position | undefined): void => {
    if (at !== undefined && (position === undefined || comparePositions(at, position) > 0)) position = at;
  };
  const count = (streamId: string, event: CountedEvent): void => {
    // The prefixes also match longer ids (`dataflow-a` matches `dataflow-ab`): only this dataflow's streams count.
    switch (event.type) {
      case 'ProfileChanged':
        scanned.profileChanges++;
        if (enabled) counts.received++;
        return;
      case 'DataflowConfigured':
      case 'DataflowDeleted':
        if (streamId === streams.dataflow) enabled = event.type === 'DataflowConfigured' && event.data.enabled;
        return;
      case 'ExportDelivered':
        if (streamId !== streams.deliveries) return;
        counts.delivered++;
        // Live latency only: a backfill's or a replay's delivery measures how old the profile was.
        if (event.data.lane !== 'backfill' && event.data.replayId === undefined) latency.add(Date.parse(event.data.deliveredAt) - Date.parse(event.data.ingestedAt));
        return;
      case 'ExportRequested':
      case 'ExportFailed':
      case 'ExportSuperseded':
      case 'ExportDeadLettered': {
        const [stream, counter] = counted[event.type];
        if (streamId === stream) counts[counter]++;
        return;
      }
      default:
        assertNever(event);
    }
  };

  return {
    prefixes: [internalStreamPrefixes.profile, streams.dataflow, streams.exports, streams.deliveries, streams.deadletters],
    from,
    see(streamId, event, at) {
      scanned.events++;
      count(streamId, event);
      passed(at);
    },
    passed,
    checkpoint(at) {
      scanned.checkpoints++;
      passed(at);
    },
    counts() {
      const p50 = latency.percentile(0.5);
      const p95 = latency.percentile(0.95);
      return { ...counts, ...(p50 !== undefined && p95 !== undefined ? { latencyMs: { p50, p95 } } : {}) };
    },
    scanned: () => ({ ...scanned }),
    snapshot() {
      const text = formatPosition(position);
      if (text === undefined) return undefined;
      return { version: countsSnapshotVersion, dataflowId, position: text, enabled, counts: { ...counts }, latencyBuckets: latency.buckets() };
    },
  };
}

export function parsePositionText(text: string): Position {
  const [commit = '0', prepare = '0'] = text.split('/');
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}

function assertNever(value: never): never {
  throw new Error(`unexpected event ${JSON.stringify(value)}`);
}
