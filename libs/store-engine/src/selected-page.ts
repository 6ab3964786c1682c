import type { EventSelector, RecordedEvent, SelectedPage } from './engine.ts';

/** The selected page of already decoded events (the memory engine's readAllSelected). */
export function selectEvents(scanned: Iterable<RecordedEvent>, selector: EventSelector): SelectedPage {
  const events: RecordedEvent[] = [];
  let count = 0;
  let lastScanned: bigint | undefined;
  for (const event of scanned) {
    count += 1;
    lastScanned = event.position;
    if (selector.matches(selector.field === 'streamId' ? event.streamId : event.type)) events.push(event);
  }
  return { events, scanned: count, lastScanned };
}
