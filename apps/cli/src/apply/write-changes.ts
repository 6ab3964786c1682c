import type { EventStore } from '@spillway/event-streams';
import { ApplyInterruptedError } from '../cli/errors.ts';
import { alertingEvents } from '../config-streams/alerting-catalog.ts';
import { audienceEvents, dataflowEvents, destinationEvents } from '../config-streams/public-catalogs.ts';
import type { PlannedChange } from './plan-apply.ts';

/**
 * Appends the created and updated items, one stream at a time and in plan order, each expecting
 * the revision it was planned against. A failure names what was already written.
 */
export async function writeChanges(store: EventStore, changes: readonly PlannedChange[]): Promise<void> {
  const written: string[] = [];
  for (const change of changes) {
    if (change.change === 'unchanged') continue;
    try {
      await appendChange(store, change);
    } catch (error) {
      throw new ApplyInterruptedError(written, error);
    }
    written.push(change.stream);
  }
}

function appendChange(store: EventStore, change: PlannedChange): Promise<unknown> {
  const options = { expectedRevision: change.expectedRevision };
  const event = change.event;
  switch (event.type) {
    case 'AudienceDefined':
      return store.appendEvents(change.stream, audienceEvents, [event], options);
    case 'DestinationConfigured':
      return store.appendEvents(change.stream, destinationEvents, [event], options);
    case 'DataflowConfigured':
      return store.appendEvents(change.stream, dataflowEvents, [event], options);
    case 'AlertSubscriptionConfigured':
      return store.appendEvents(change.stream, alertingEvents, [event], options);
    default: {
      const unknown: never = event;
      throw new Error(`unexpected planned event ${JSON.stringify(unknown)}`);
    }
  }
}
