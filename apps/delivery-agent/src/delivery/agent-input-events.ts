import { defineEvents, type CatalogEvent, type EventMessage } from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas, internalStreamPrefixes } from '@spillway/pipeline-events';
import { destinationConfiguredSchema, destinationDeletedSchema } from '@spillway/xdm';
import type { DestinationMessage } from '../destinations/destination-registry.ts';
import type { ExportRun } from './retry-events.ts';

export const destinationStreamPrefix = 'destination-';
export const deliveriesStreamPrefix = internalStreamPrefixes.deliveries;

/** `destination-<id>`: the public destination configuration. */
export const destinationEvents = defineEvents({
  DestinationConfigured: destinationConfiguredSchema,
  DestinationDeleted: destinationDeletedSchema,
});

/** Destinations and export requests from the decider (`exports-<dataflowId>`), in log order. */
export const agentInputEvents = defineEvents({
  ...destinationEvents.schemas,
  ExportRequested: internalEventSchemas.ExportRequested,
  ExportReplayRequested: internalEventSchemas.ExportReplayRequested,
});

/**
 * The streams the agent follows: destinations and export requests (destination configuration
 * precedes, in the log, the exports that use it), and where it records outcomes and dead letters. `idPrefix`
 * narrows them to the destinations and dataflows whose id starts with it.
 */
export function agentStreamPrefixes(idPrefix = '') {
  return {
    destinations: `${destinationStreamPrefix}${idPrefix}`,
    exports: `${internalStreamPrefixes.exports}${idPrefix}`,
    deliveries: `${deliveriesStreamPrefix}${idPrefix}`,
    deadletters: `${internalStreamPrefixes.deadletters}${idPrefix}`,
  } as const;
}

export type AgentInputMessage = EventMessage<CatalogEvent<typeof agentInputEvents>>;

export type AgentInput =
  | { readonly kind: 'destination'; readonly message: DestinationMessage }
  | { readonly kind: 'export'; readonly run: ExportRun }
  | { readonly kind: 'misplaced'; readonly reason: string };

/** Sorts an input event, refusing one written to a stream it does not belong to. */
export function classifyInput(message: AgentInputMessage): AgentInput {
  const { event, streamId } = message;
  switch (event.type) {
    case 'DestinationConfigured':
    case 'DestinationDeleted':
      if (!streamId.startsWith(destinationStreamPrefix)) return { kind: 'misplaced', reason: `${event.type} belongs in a ${destinationStreamPrefix} stream` };
      return { kind: 'destination', message: { streamId, eventId: message.eventId, event, position: message.position } };
    case 'ExportRequested':
    case 'ExportReplayRequested': {
      if (streamId !== exportsStreamName(event.data.dataflowId)) {
        return { kind: 'misplaced', reason: `an export request of dataflow '${event.data.dataflowId}' belongs in ${exportsStreamName(event.data.dataflowId)}` };
      }
      if (event.type === 'ExportRequested') return { kind: 'export', run: { request: event.data } };
      const { replayId, replayRequestedAt: _, ...request } = event.data;
      return { kind: 'export', run: { request, replayId } };
    }
    default:
      return assertNever(event);
  }
}

/**
 * Destinations: in order per destination. Exports: each its own key, so that a newer export of a
 * profile reaches the agent while an older one waits for a retry and can supersede it; the
 * export handler keeps them one at a time per (dataflow, profile) in log order (export-sequencer).
 */
export function inputKey(message: AgentInputMessage): string {
  const { event } = message;
  return event.type === 'ExportRequested' || event.type === 'ExportReplayRequested' ? `export:${message.eventId}` : `destination:${message.streamId}`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected event ${JSON.stringify(value)}`);
}
