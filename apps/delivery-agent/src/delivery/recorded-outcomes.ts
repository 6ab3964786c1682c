import { isInPartition, type EventStore, type Partition, type Position } from '@spillway/event-streams';
import type { ExportAttemptFailed, ExportDeadLettered } from '@spillway/pipeline-events';
import { agentOutputEvents, runKeyOf } from './outcome-events.ts';

/** Export runs whose outcome, or failed attempts, are already in the store; each forgotten once looked up. */
export interface RecordedOutcomes {
  /** True (once) when the run's final outcome was recorded before this start. */
  consume(runKey: string): boolean;
  /** The run's failed attempts recorded before this start (in order), forgotten once taken: a retry resumes from them. */
  takeAttempts(runKey: string): readonly ExportAttemptFailed[];
  /**
   * The run's dead letter when it was written before this start but its `ExportFailed` was not
   * (a crash between the two appends), forgotten once taken: the run is finished, not sent again.
   */
  takeDeadLetter(runKey: string): ExportDeadLettered | undefined;
  size(): number;
  /** Drops what is left (once the consumer is past everything recorded before this start). */
  clear(): void;
}

export const noRecordedOutcomes: RecordedOutcomes = { consume: () => false, takeAttempts: () => [], takeDeadLetter: () => undefined, size: () => 0, clear: () => {} };

export function recordedOutcomesOf(
  runKeys: Iterable<string>,
  attempts: Iterable<ExportAttemptFailed> = [],
  deadLetters: Iterable<ExportDeadLettered> = [],
): RecordedOutcomes {
  const ids = new Set(runKeys);
  const deadLettersByRun = new Map<string, ExportDeadLettered>();
  for (const deadLetter of deadLetters) {
    const key = runKeyOf(deadLetter.exportId, deadLetter.replayId);
    if (!ids.has(key)) deadLettersByRun.set(key, deadLetter);
  }
  const attemptsByRun = new Map<string, ExportAttemptFailed[]>();
  for (const attempt of attempts) {
    const key = runKeyOf(attempt.exportId, attempt.replayId);
    const list = attemptsByRun.get(key) ?? [];
    list.push(attempt);
    attemptsByRun.set(key, list);
  }
  return {
    consume: (runKey) => {
      const finished = ids.delete(runKey);
      if (finished) attemptsByRun.delete(runKey);
      return finished;
    },
    takeDeadLetter: (runKey) => {
      const found = deadLettersByRun.get(runKey);
      if (found === undefined) return undefined;
      deadLettersByRun.delete(runKey);
      attemptsByRun.delete(runKey);
      return found;
    },
    takeAttempts: (runKey) => {
      const found = attemptsByRun.get(runKey) ?? [];
      attemptsByRun.delete(runKey);
      return [...found].sort((a, b) => a.attempt - b.attempt);
    },
    size: () => ids.size + deadLettersByRun.size + attemptsByRun.size,
    clear: () => {
      ids.clear();
      attemptsByRun.clear();
      deadLettersByRun.clear();
    },
  };
}

/**
 * The consumer resumes from its checkpoint, which trails the exports it finished after it (the
 * checkpoint is a low watermark; a crash loses up to a second of progress) and never passes an
 * export still waiting for a retry. Reading the outcomes recorded after the checkpoint lets the
 * agent skip finished exports, and resume the retries of the others where they were (attempt
 * number and time of the next attempt), so a restart re-sends only what was in flight. The dead
 * letters are read too: one is written just before its `ExportFailed`, and an export whose dead
 * letter is in the store was given up even when a crash kept its `ExportFailed` from being written.
 */
export async function loadRecordedOutcomes(
  store: EventStore,
  options: {
    readonly after: Position | undefined;
    /** Only this dataflow's outcomes (a consumer follows one dataflow). @defaultValue every dataflow under the prefixes */
    readonly dataflowId?: string;
    /** `deliveries-`, or narrower. */
    readonly streamPrefix: string;
    /** `deadletters-`, or narrower. */
    readonly deadLetterStreamPrefix: string;
    readonly partition: Partition;
    readonly logFields: Readonly<Record<string, unknown>>;
  },
): Promise<RecordedOutcomes> {
  const subscription = store.openAllSubscription({
    catalog: { ...agentOutputEvents, unknownTypes: 'ignore' },
    from: options.after ?? 'start',
    filter: { streamNamePrefixes: [options.streamPrefix, options.deadLetterStreamPrefix] },
    logFields: { ...options.logFields, purpose: 'outcomes recorded after the checkpoint' },
  });
  const runKeys: string[] = [];
  const attempts: ExportAttemptFailed[] = [];
  const deadLetters: ExportDeadLettered[] = [];
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind !== 'event' || !isInPartition(message.event.data.profileId, options.partition)) continue;
      if (options.dataflowId !== undefined && message.event.data.dataflowId !== options.dataflowId) continue;
      const { event } = message;
      if (event.type === 'ExportAttemptFailed') attempts.push(event.data);
      else if (event.type === 'ExportDeadLettered') deadLetters.push(event.data);
      else runKeys.push(runKeyOf(event.data.exportId, event.data.replayId));
    }
  } finally {
    await subscription.close();
  }
  return recordedOutcomesOf(runKeys, attempts, deadLetters);
}
