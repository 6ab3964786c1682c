import { z } from 'zod';
import { defineEvents, type CatalogEvent, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, exportsStreamName, internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';
import { dataflowStreamName, publicEventDataSchemas } from '@spillway/xdm';
import { createLatencySummary } from './latency-summary.ts';

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

export type DataflowCountsReader = (store: EventStore, dataflowId: string) => Promise<DataflowCounts | undefined>;

// Profile changes are only counted: their data is not read, whatever their shape.
const countedEvents = defineEvents(
  {
    DataflowConfigured: publicEventDataSchemas.DataflowConfigured,
    DataflowDeleted: publicEventDataSchemas.DataflowDeleted,
    ProfileChanged: z.unknown(),
    ExportRequested: internalEventSchemas.ExportRequested,
    ExportDelivered: internalEventSchemas.ExportDelivered,
    ExportFailed: internalEventSchemas.ExportFailed,
    ExportSuperseded: internalEventSchemas.ExportSuperseded,
    ExportDeadLettered: internalEventSchemas.ExportDeadLettered,
  },
  { unknownTypes: 'ignore' },
);

/**
 * Reads the counts from the log itself, in one filtered pass over `$all` (profile changes, the
 * dataflow's configuration, its export requests, outcomes and dead letters), event by event: memory stays
 * bounded whatever the volume, time grows with it. A status projection replaces this later.
 */
export const readDataflowCounts: DataflowCountsReader = async (store, dataflowId) => {
  const tally = createTally(dataflowId);
  const subscription = store.openAllSubscription({ catalog: countedEvents, from: 'start', filter: { streamNamePrefixes: tally.prefixes } });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'event') tally.see(message.streamId, message.event);
    }
  } finally {
    await subscription.close();
  }
  return tally.counts();
};

function createTally(dataflowId: string) {
  const streams = {
    dataflow: dataflowStreamName(dataflowId),
    exports: exportsStreamName(dataflowId),
    deliveries: deliveriesStreamName(dataflowId),
    deadletters: deadlettersStreamName(dataflowId),
  };
  const counts = { received: 0, exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0 };
  const latency = createLatencySummary();
  let enabled = false;
  const see = (streamId: string, event: CatalogEvent<typeof countedEvents>): void => {
    // The prefixes also match longer ids (`dataflow-a` matches `dataflow-ab`): only this dataflow's streams count.
    switch (event.type) {
      case 'ProfileChanged':
        if (enabled) counts.received++;
        return;
      case 'DataflowConfigured':
      case 'DataflowDeleted':
        if (streamId === streams.dataflow) enabled = event.type === 'DataflowConfigured' && event.data.enabled;
        return;
      case 'ExportRequested':
        if (streamId === streams.exports) counts.exported++;
        return;
      case 'ExportDelivered':
        if (streamId !== streams.deliveries) return;
        counts.delivered++;
        latency.add(Date.parse(event.data.deliveredAt) - Date.parse(event.data.ingestedAt));
        return;
      case 'ExportFailed':
        if (streamId === streams.deliveries) counts.failed++;
        return;
      case 'ExportSuperseded':
        if (streamId === streams.deliveries) counts.superseded++;
        return;
      case 'ExportDeadLettered':
        if (streamId === streams.deadletters) counts.deadLettered++;
        return;
      default:
        assertNever(event);
    }
  };
  const result = (): DataflowCounts => {
    const p50 = latency.percentile(0.5);
    const p95 = latency.percentile(0.95);
    return { ...counts, ...(p50 !== undefined && p95 !== undefined ? { latencyMs: { p50, p95 } } : {}) };
  };
  return { prefixes: [internalStreamPrefixes.profile, streams.dataflow, streams.exports, streams.deliveries, streams.deadletters], see, counts: result };
}

function assertNever(value: never): never {
  throw new Error(`unexpected event ${JSON.stringify(value)}`);
}
