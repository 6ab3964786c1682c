import type { AlertDecision } from '@spillway/alert-rules';
import { defineEvents, deterministicEventId, type EventStore } from '@spillway/event-streams';
import { alertEventSchemas, alertStreamName } from '@spillway/pipeline-events';

export const alertEvents = defineEvents(alertEventSchemas);

/** The event id of a decision: the alert's id for its raise, one derived from it for its resolution. */
export function alertEventIdOf(decision: AlertDecision): string {
  return decision.kind === 'raise' ? decision.alert.alertId : deterministicEventId('alert-resolved', decision.alert.alertId);
}

/**
 * Appends each decision to `alerts-<dataflowId>`, one event per append: ids are deterministic, so
 * writing a decision again after a restart is a no-op however the earlier run ended.
 */
export async function appendDecisions(store: EventStore, dataflowId: string, decisions: readonly AlertDecision[]): Promise<void> {
  for (const decision of decisions) {
    const event = decision.kind === 'raise' ? ({ type: 'AlertRaised', data: decision.alert } as const) : ({ type: 'AlertResolved', data: decision.alert } as const);
    await store.appendEvents(alertStreamName(dataflowId), alertEvents, [{ ...event, id: alertEventIdOf(decision) }]);
  }
}
