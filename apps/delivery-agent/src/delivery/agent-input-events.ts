import { defineEvents, type CatalogEvent, type EventMessage } from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas, internalStreamPrefixes, type ExportRequested } from '@spillway/pipeline-events';
import { destinationConfiguredSchema, destinationDeletedSchema } from '@spillway/xdm';
import type { DestinationMessage } from '../destinations/destination-registry.ts';

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
});

/**
 * The streams the agent follows: destinations and export requests (destination configuration
 * precedes, in the log, the exports that use it), and where it records outcomes. `idPrefix`
 * narrows them to the destinations and dataflows whose id starts with it.
 */
export function agentStreamPrefixes(idPrefix = '') {
  return {
    destinations: `${destinationStreamPrefix}${idPrefix}`,
    exports: `${internalStreamPrefixes.exports}${idPrefix}`,
    deliveries: `${deliveriesStreamPrefix}${idPrefix}`,
  } as const;
}

export type AgentInputMessage = EventMessage<CatalogEvent<typeof agentInputEvents>>;

export type AgentInput =
  | { readonly kind: 'destination'; readonly message: DestinationMessage }
  | { readonly kind: 'export'; readonly request: ExportRequested }
  | { readonly kind: 'misplaced'; readonly reason: string };

/** Sorts an input event, refusing one written to a stream it does not belong to. */
export function classifyInput(message: AgentInputMessage): AgentInput {
  const { event, streamId } = message;
  switch (event.type) {
    case 'DestinationConfigured':
    case 'DestinationDeleted':
      if (!streamId.startsWith(destinationStreamPrefix)) return { kind: 'misplaced', reason: `${event.type} belongs in a ${destinationStreamPrefix} stream` };
      return { kind: 'destination', message: { streamId, eventId: message.eventId, event } };
    case 'ExportRequested':
      if (streamId !== exportsStreamName(event.data.dataflowId)) {
        return { kind: 'misplaced', reason: `an export request of dataflow '${event.data.dataflowId}' belongs in ${exportsStreamName(event.data.dataflowId)}` };
      }
      return { kind: 'export', request: event.data };
    default:
      return assertNever(event);
  }
}

/** Same dataflow and profile: one at a time, in log order. Destinations: in order per destination. */
export function inputKey(message: AgentInputMessage): string {
  const { event } = message;
  return event.type === 'ExportRequested' ? `export:${event.data.dataflowId}/${event.data.profileId}` : `destination:${message.streamId}`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected event ${JSON.stringify(value)}`);
}
