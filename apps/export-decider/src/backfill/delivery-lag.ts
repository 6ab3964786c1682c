import { defineEvents, type EventStore } from '@spillway/event-streams';
import { deliveriesStreamName, deliveryRecordTimeMs, internalEventSchemas } from '@spillway/pipeline-events';
import { createLruCache } from '@spillway/runtime';

const outcomeEvents = defineEvents(
  { ExportDelivered: internalEventSchemas.ExportDelivered, ExportFailed: internalEventSchemas.ExportFailed, ExportSuperseded: internalEventSchemas.ExportSuperseded },
  { unknownTypes: 'ignore' },
);

/** Outcomes looked at per probe: the newest few, so a run of failed attempts does not hide the newest outcome. */
const outcomesPerProbe = 8;

/**
 * How long the delivery agent kept this lane's exports waiting. The live-first pace cannot see it
 * in the ingest-to-decider lag: once the decider is not the busy process, the backfill's exports
 * pile up in `exports-<dataflowId>` ahead of the agent, and a live export decided now waits behind
 * them. So the lane notes when it appended each recent export, and a probe reads the dataflow's
 * newest outcomes: the newest of ours, recorded W after its append, says the agent is W behind.
 * (Both times are wall clocks: of the decider's and the agent's machines.)
 */
export interface DeliveryLag {
  /** The lane appended this export at `atMs`. */
  appended(exportId: string, atMs: number): void;
  /** The newest of our exports with an outcome: when we appended it, and how long it waited for that outcome. */
  probe(dataflowId: string): Promise<DeliveryWait | undefined>;
}

export interface DeliveryWait {
  readonly appendedAtMs: number;
  readonly waitedMs: number;
}

export function createDeliveryLag(store: EventStore, maxTracked = 100_000): DeliveryLag {
  const appendedAt = createLruCache<string, number>(maxTracked);
  return {
    appended(exportId, nowMs) {
      appendedAt.set(exportId, nowMs);
    },
    async probe(dataflowId) {
      const newest = await store.readStreamEvents(deliveriesStreamName(dataflowId), outcomeEvents, { direction: 'backwards', maxCount: outcomesPerProbe });
      for (const { event } of newest) {
        const at = appendedAt.get(event.data.exportId);
        if (at !== undefined) return { appendedAtMs: at, waitedMs: Math.max(0, deliveryRecordTimeMs(event) - at) };
      }
      return undefined;
    },
  };
}
