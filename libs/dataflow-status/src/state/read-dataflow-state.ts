import { defineEvents, readLatest, type EventStore } from '@spillway/event-streams';
import { alertEventSchemas, alertStreamName, backfillEventSchemas, backfillStreamName, circuitEventSchemas, circuitStreamName, summarizeBackfills, type AlertRaised, type BackfillStatus } from '@spillway/pipeline-events';
import { circuitStateOf, openAlertsOf, type AlertEvent, type CircuitEvent, type CircuitState } from './dataflow-state-fold.ts';

const ignoreOthers = { unknownTypes: 'ignore' } as const;
const circuitEvents = defineEvents(circuitEventSchemas, ignoreOthers);
const alertEvents = defineEvents(alertEventSchemas, ignoreOthers);
const backfillEvents = defineEvents(backfillEventSchemas, ignoreOthers);

export interface DataflowHealth {
  readonly circuit: CircuitState;
  readonly openAlerts: readonly AlertRaised[];
  readonly backfills: readonly BackfillStatus[];
}

/**
 * What a person checks first: the destination's circuit (latest event of `circuits-<destinationId>`),
 * the open alerts (`alerts-<dataflowId>`, folded) and the backfills (`backfill-<dataflowId>`).
 * Three small streams: no scan of the log.
 */
export async function readDataflowHealth(store: EventStore, dataflowId: string, destinationId: string): Promise<DataflowHealth> {
  const [latestCircuit, alerts, backfills] = await Promise.all([
    readLatest(store, circuitStreamName(destinationId), circuitEvents),
    store.readStreamEvents(alertStreamName(dataflowId), alertEvents),
    store.readStreamEvents(backfillStreamName(dataflowId), backfillEvents),
  ]);
  return {
    circuit: circuitStateOf(latestCircuit?.event as CircuitEvent | undefined),
    openAlerts: openAlertsOf(alerts.map((stored) => stored.event as AlertEvent)),
    backfills: summarizeBackfills(backfills.map((stored) => stored.event)),
  };
}
