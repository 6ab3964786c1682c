import { deterministicEventId, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, type ExportDeadLettered } from '@spillway/pipeline-events';
import { deadLetterEvents } from '../store/catalogs.ts';

/** A dead letter as the agent writes it after three attempts answered `answer`. */
export function deadLetterOf(dataflowId: string, profileId: string, sequence: number, answer: { status: number } | { errorCode: string }, at: string): ExportDeadLettered {
  const exportId = deterministicEventId('export', dataflowId, profileId, sequence);
  const base = { exportId, sequence, dataflowId, destinationId: `${dataflowId}-dest`, profileId };
  const reason = 'status' in answer ? `the endpoint answered HTTP ${answer.status}` : 'the endpoint refused the connection';
  return {
    ...base,
    export: { ...base, triggers: ['attribute'], lane: 'live', document: { person: { name: { firstName: profileId } } }, ingestedAt: at, decidedAt: at },
    request: { method: 'POST', url: 'http://127.0.0.1:9/in', queryParamNames: [], headers: { 'x-export-id': exportId } },
    attempts: [1, 2, 3].map((attempt) => ({ attempt, startedAt: at, durationMs: 12, ...answer, reason })),
    ...answer,
    reason: `gave up after 3 attempts: on the last one ${reason}`,
    deadLetteredAt: at,
  };
}

export async function appendDeadLetters(store: EventStore, ...deadLetters: readonly ExportDeadLettered[]): Promise<void> {
  for (const deadLetter of deadLetters) {
    await store.appendEvents(deadlettersStreamName(deadLetter.dataflowId), deadLetterEvents, [{ type: 'ExportDeadLettered', data: deadLetter }]);
  }
}
