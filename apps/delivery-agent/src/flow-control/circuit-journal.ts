import {
  createOutageReporter,
  defineEvents,
  deterministicEventId,
  readLatestByStream,
  retryWhileUnavailable,
  type EventStore,
  type OutageReporter,
} from '@spillway/event-streams';
import { circuitEventSchemas, circuitStreamName, circuitStreamPrefix } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { CircuitEvent } from './circuit-breaker.ts';

export const circuitEvents = defineEvents(circuitEventSchemas);

/**
 * Writes circuit transitions to `circuits-<destinationId>`, in order per destination, retrying
 * while the store is away. A transition is not waited for: the circuit acts on it at once, and
 * the stream (for the status page, alerts and the next start) follows.
 */
export interface CircuitJournal {
  write(destinationId: string, event: CircuitEvent): void;
  /** Resolves once every transition handed over so far is written (or given up on stop). */
  flushed(): Promise<void>;
}

export function createCircuitJournal(options: { readonly store: EventStore; readonly logger: Logger; readonly signal: AbortSignal; readonly outage?: OutageReporter }): CircuitJournal {
  const { store, logger, signal } = options;
  const outage = options.outage ?? createOutageReporter(logger);
  const chains = new Map<string, Promise<void>>();

  const append = async (destinationId: string, event: CircuitEvent) => {
    const stream = circuitStreamName(destinationId);
    // The same transition written twice (a retry that hid a success) is recognised by its id.
    const id = deterministicEventId('circuit', destinationId, event.type, event.data.openedAt);
    try {
      await retryWhileUnavailable(`writing a circuit transition to ${stream}`, () => store.appendEvents(stream, circuitEvents, [{ ...event, id }]), { outage, signal });
    } catch (error) {
      logger.error('circuit transition not written', { stream, eventType: event.type, error });
    }
  };

  return {
    write(destinationId, event) {
      const previous = chains.get(destinationId) ?? Promise.resolve();
      chains.set(destinationId, previous.then(() => append(destinationId, event)));
    },
    async flushed() {
      await Promise.all(chains.values());
    },
  };
}

/** The last transition of every destination's circuit whose id starts with `idPrefix`, for a start. */
export async function loadCircuits(store: EventStore, idPrefix: string): Promise<{ readonly destinationId: string; readonly event: CircuitEvent }[]> {
  const latest = await readLatestByStream(store, `${circuitStreamPrefix}${idPrefix}`, circuitEvents);
  return latest.map((stored) => ({ destinationId: stored.event.data.destinationId, event: stored.event }));
}
