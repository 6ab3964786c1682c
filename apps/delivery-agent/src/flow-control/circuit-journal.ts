import { setTimeout as delay } from 'node:timers/promises';
import { defineEvents, deterministicEventId, isTransient, readLatestByStream, type EventStore } from '@spillway/event-streams';
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

export function createCircuitJournal(options: { readonly store: EventStore; readonly logger: Logger; readonly signal: AbortSignal }): CircuitJournal {
  const { store, logger, signal } = options;
  const chains = new Map<string, Promise<void>>();

  const append = async (destinationId: string, event: CircuitEvent) => {
    const stream = circuitStreamName(destinationId);
    // The same transition written twice (a retry that hid a success) is recognised by its id.
    const id = deterministicEventId('circuit', destinationId, event.type, event.data.openedAt);
    for (let attempt = 1; ; attempt++) {
      try {
        await store.appendEvents(stream, circuitEvents, [{ ...event, id }]);
        return;
      } catch (error) {
        if (!isTransient(error) || signal.aborted) {
          logger.error('circuit transition not written', { stream, eventType: event.type, error });
          return;
        }
        const delayMs = Math.min(5_000, 50 * 2 ** attempt);
        logger.warn('store unavailable while writing a circuit transition, retrying', { stream, attempt, delayMs, error });
        await delay(delayMs, undefined, { signal }).catch(() => {});
      }
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
