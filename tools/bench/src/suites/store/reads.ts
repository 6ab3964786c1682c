import { START } from '@eventstore/db-client';
import type { AllStreamResolvedEvent, EventStoreDBClient, Position } from '@eventstore/db-client';
import { perSecond, startStopwatch } from '../../measure/timing.ts';
import { selectedPrefix } from './workload.ts';

export interface ReadAllFigures {
  /** `whole-log`: one readAll over everything; `pages`: readAll calls of `pageSize` each, resuming from the last position. */
  readonly method: 'whole-log' | 'pages';
  readonly pageSize?: number;
  readonly pages: number;
  readonly events: number;
  /** Events in the selected (10%) streams: what the filtered subscription must deliver. */
  readonly selectedEvents: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
}

class EventCounter {
  events = 0;
  selectedEvents = 0;
  count(resolved: AllStreamResolvedEvent): void {
    this.events++;
    if (resolved.event?.streamId.startsWith(selectedPrefix)) this.selectedEvents++;
  }
}

/** readAll forwards from the start with no maxCount: the client streams the whole log in one call. */
export async function measureReadAllWholeLog(client: EventStoreDBClient): Promise<ReadAllFigures> {
  const counter = new EventCounter();
  const stopwatch = startStopwatch();
  for await (const resolved of client.readAll({ fromPosition: START })) counter.count(resolved);
  const elapsedMs = stopwatch.elapsedMs();
  return { method: 'whole-log', pages: 1, ...figures(counter, elapsedMs) };
}

/** readAll forwards in pages, as a service that reads with a maxCount would; each page starts at the last position read. */
export async function measureReadAllInPages(client: EventStoreDBClient, pageSize: number): Promise<ReadAllFigures> {
  const counter = new EventCounter();
  const stopwatch = startStopwatch();
  let from: Position | typeof START = START;
  let pages = 0;
  for (;;) {
    pages++;
    let newEvents = 0;
    let last: Position | undefined;
    for await (const resolved of client.readAll({ fromPosition: from, maxCount: pageSize })) {
      const position = resolved.event?.position;
      if (position !== undefined && from !== START && samePosition(position, from)) continue; // the start position is inclusive
      counter.count(resolved);
      newEvents++;
      last = position ?? last;
    }
    if (newEvents === 0 || last === undefined) break;
    from = last;
  }
  const elapsedMs = stopwatch.elapsedMs();
  return { method: 'pages', pageSize, pages, ...figures(counter, elapsedMs) };
}

function samePosition(a: Position, b: Position): boolean {
  return a.commit === b.commit && a.prepare === b.prepare;
}

function figures(counter: EventCounter, elapsedMs: number) {
  return {
    events: counter.events,
    selectedEvents: counter.selectedEvents,
    elapsedMs,
    eventsPerSecond: perSecond(counter.events, elapsedMs),
  };
}
