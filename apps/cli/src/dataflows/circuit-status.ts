import { defineEvents, readLatest, type EventStore } from '@spillway/event-streams';
import { circuitEventSchemas, circuitStreamName, type CircuitClosed, type CircuitOpened } from '@spillway/pipeline-events';

const circuitEvents = defineEvents(circuitEventSchemas);

/** The last transition of a destination's circuit (`circuits-<destinationId>`); undefined when it never opened. */
export type CircuitStatus = { readonly state: 'open'; readonly opened: CircuitOpened } | { readonly state: 'closed'; readonly closed: CircuitClosed } | undefined;

export async function readCircuitStatus(store: EventStore, destinationId: string): Promise<CircuitStatus> {
  const latest = await readLatest(store, circuitStreamName(destinationId), circuitEvents);
  if (latest === undefined) return undefined;
  return latest.event.type === 'CircuitOpened' ? { state: 'open', opened: latest.event.data } : { state: 'closed', closed: latest.event.data };
}

/** One line for `dataflows show`: a dataflow's circuit is its destination's. */
export function circuitLine(status: CircuitStatus): string {
  if (status === undefined) return 'closed (never opened)';
  if (status.state === 'closed') return `closed since ${status.closed.closedAt} (was open from ${status.closed.openedAt})`;
  const { openedAt, failingSince, failures, lastError } = status.opened;
  return `OPEN since ${openedAt}: exports wait, a probe goes now and then (every request failed since ${failingSince}, ${failures} failures, last: ${lastError})`;
}

export function circuitJson(status: CircuitStatus) {
  if (status === undefined) return { state: 'closed' as const, neverOpened: true };
  return status.state === 'open' ? { state: 'open' as const, ...status.opened } : { state: 'closed' as const, ...status.closed };
}
