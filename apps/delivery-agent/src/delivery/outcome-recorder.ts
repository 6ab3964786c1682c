import { createOutageReporter, retryWhileUnavailable, type EventStore, type OutageReporter } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { agentOutputEvents, type AgentOutputEvent } from './outcome-events.ts';

/** Writes outcome events, several per append when they come faster than the store answers. */
export interface OutcomeRecorder {
  /** Resolves once the event is durably in `stream`. */
  record(stream: string, event: AgentOutputEvent): Promise<void>;
}

export interface OutcomeRecorderOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  /** Ends retries of a batch on shutdown (its records reject; they are handled again after the restart). */
  readonly signal: AbortSignal;
  /** Where a store outage is told. @defaultValue one of its own */
  readonly outage?: OutageReporter;
  /** @defaultValue 256 */
  readonly maxBatch?: number;
}

interface Pending {
  readonly event: AgentOutputEvent;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One append per export would make the store round trip the agent's limit. Per stream, while
 * one append is in flight, the outcomes that arrive meanwhile wait and go together in the next.
 * A batch that fails on a store outage is retried as it was: the same ids in the same order,
 * which the store recognises as already written if the failure hid a success.
 */
export function createOutcomeRecorder(options: OutcomeRecorderOptions): OutcomeRecorder {
  const { store, logger, signal } = options;
  const maxBatch = options.maxBatch ?? 256;
  const waiting = new Map<string, Pending[]>();
  const appending = new Set<string>();

  const outage = options.outage ?? createOutageReporter(logger);
  const appendWithRetry = (stream: string, events: AgentOutputEvent[]) =>
    retryWhileUnavailable(`recording ${events.length} outcomes in ${stream}`, () => store.appendEvents(stream, agentOutputEvents, events), { outage, signal });

  const drain = async (stream: string) => {
    appending.add(stream);
    try {
      for (let queue = waiting.get(stream); queue && queue.length > 0; queue = waiting.get(stream)) {
        const batch = queue.splice(0, maxBatch);
        if (queue.length === 0) waiting.delete(stream);
        try {
          await appendWithRetry(stream, batch.map((pending) => pending.event));
          for (const pending of batch) pending.resolve();
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      appending.delete(stream);
    }
  };

  return {
    record(stream, event) {
      return new Promise<void>((resolve, reject) => {
        const queue = waiting.get(stream);
        if (queue) queue.push({ event, resolve, reject });
        else waiting.set(stream, [{ event, resolve, reject }]);
        if (!appending.has(stream)) void drain(stream);
      });
    },
  };
}
