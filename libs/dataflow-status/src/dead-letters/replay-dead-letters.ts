import { defineEvents, deterministicEventId, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import type { ListedDeadLetter } from './dead-letter-list.ts';

const replayEvents = defineEvents({ ExportReplayRequested: internalEventSchemas.ExportReplayRequested });
const replayedEvents = defineEvents({ DeadLetterReplayed: internalEventSchemas.DeadLetterReplayed });

export interface Replay {
  readonly exportId: string;
  readonly replayId: string;
  readonly dataflowId: string;
  readonly sequence: number;
}

export interface ReplayOptions {
  readonly newId: () => string;
  readonly now: () => Date;
  /** Called after each dead letter queued, with how many so far. */
  readonly onReplayed?: (done: number) => void;
}

export interface ReplayResult {
  readonly replays: readonly Replay[];
  /** Dead letters left alone because they were replayed already (their replay's own outcome counts). */
  readonly alreadyReplayed: readonly string[];
}

/**
 * Sends dead letters again through the agent: per dead letter, an `ExportReplayRequested` in its
 * dataflow's `exports-` stream (the agent's ordering rules apply: an older state than one
 * delivered is superseded), then a `DeadLetterReplayed` in its `deadletters-` stream marking it.
 * The one implementation behind `spillway deadletters replay` and the management API.
 */
export async function replayDeadLetters(store: EventStore, deadLetters: readonly ListedDeadLetter[], options: ReplayOptions): Promise<ReplayResult> {
  const replays: Replay[] = [];
  const alreadyReplayed: string[] = [];
  const queued = new Set<string>();
  for (const deadLetter of deadLetters) {
    const key = `${deadLetter.dataflowId}/${deadLetter.exportId}`;
    if (deadLetter.replayed !== undefined || queued.has(key)) {
      alreadyReplayed.push(deadLetter.exportId);
      continue;
    }
    queued.add(key);
    const replayId = options.newId();
    const at = options.now().toISOString();
    await store.appendEvents(exportsStreamName(deadLetter.dataflowId), replayEvents, [
      { type: 'ExportReplayRequested', id: replayId, data: { ...deadLetter.export, replayId, replayRequestedAt: at } },
    ]);
    await store.appendEvents(deadlettersStreamName(deadLetter.dataflowId), replayedEvents, [
      { type: 'DeadLetterReplayed', id: deterministicEventId('dead-letter-replayed', replayId), data: { exportId: deadLetter.exportId, dataflowId: deadLetter.dataflowId, replayId, replayedAt: at } },
    ]);
    replays.push({ exportId: deadLetter.exportId, replayId, dataflowId: deadLetter.dataflowId, sequence: deadLetter.sequence });
    options.onReplayed?.(replays.length);
  }
  return { replays, alreadyReplayed };
}
