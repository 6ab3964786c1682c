import type { DeadLetterReplayed, ExportDeadLettered } from '@spillway/pipeline-events';
import { matchesFilters, type DeadLetterFilters } from './dead-letter-filters.ts';

export type DeadLetterStreamEvent =
  | { readonly type: 'ExportDeadLettered'; readonly data: ExportDeadLettered }
  | { readonly type: 'DeadLetterReplayed'; readonly data: DeadLetterReplayed };

/** A dead letter as listed: what the agent recorded, and whether it was sent again since. */
export type ListedDeadLetter = ExportDeadLettered & {
  readonly replayed?: { readonly replayId: string; readonly replayedAt: string };
};

/**
 * The dead letters matching `filters`, oldest first, folded from `deadletters-` streams in
 * order: a `DeadLetterReplayed` marks the dead letters of its export recorded before it (a
 * replay given up again is a new dead letter, after the mark, so it is not marked).
 */
export function createDeadLetterList(filters: DeadLetterFilters) {
  const listed: ListedDeadLetter[] = [];
  const unreplayed = new Map<string, number[]>();
  const keyOf = (dataflowId: string, exportId: string) => `${dataflowId}/${exportId}`;
  return {
    see(event: DeadLetterStreamEvent): void {
      if (event.type === 'ExportDeadLettered') {
        if (!matchesFilters(event.data, filters)) return;
        const key = keyOf(event.data.dataflowId, event.data.exportId);
        unreplayed.set(key, [...(unreplayed.get(key) ?? []), listed.length]);
        listed.push(event.data);
        return;
      }
      const key = keyOf(event.data.dataflowId, event.data.exportId);
      for (const index of unreplayed.get(key) ?? []) listed[index] = { ...listed[index]!, replayed: { replayId: event.data.replayId, replayedAt: event.data.replayedAt } };
      unreplayed.delete(key);
    },
    list: (): ListedDeadLetter[] => [...listed],
  };
}

export function listDeadLetters(events: Iterable<DeadLetterStreamEvent>, filters: DeadLetterFilters): ListedDeadLetter[] {
  const list = createDeadLetterList(filters);
  for (const event of events) list.see(event);
  return list.list();
}
