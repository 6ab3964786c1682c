import {
  audienceEventTypes,
  dataflowEventTypes,
  destinationEventTypes,
  ingestEventTypes,
  parsePublicEvent,
  type AudienceEvent,
  type DataflowEvent,
  type DestinationEvent,
  type IngestEvent,
  type ParsedEvent,
  type PublicEventType,
} from './events.ts';
import { parseStreamName, type StreamCategory } from './stream-names.ts';
import { InvalidEventError } from './validation.ts';

const acceptedTypes: Readonly<Record<StreamCategory, readonly PublicEventType[]>> = {
  ingest: ingestEventTypes,
  audience: audienceEventTypes,
  destination: destinationEventTypes,
  dataflow: dataflowEventTypes,
};

const idField: Readonly<Record<StreamCategory, string>> = {
  ingest: 'profileId',
  audience: 'audienceId',
  destination: 'destinationId',
  dataflow: 'dataflowId',
};

export type StreamEvent = IngestEvent | AudienceEvent | DestinationEvent | DataflowEvent;

/**
 * Validates an event read from a public stream: its type must belong to the stream's category
 * and the id in its data must be the stream's id (`ingest-p1` carries `profileId: "p1"`).
 */
export function parseStreamEvent(stream: string, type: string, data: unknown): ParsedEvent<StreamEvent> {
  const parsedName = parseStreamName(stream);
  if (!parsedName) {
    return {
      ok: false,
      error: new InvalidEventError(type, [{ path: '(stream)', message: `'${stream}' is not a public stream (ingest-, audience-, destination-, dataflow-)` }]),
    };
  }
  const parsed = parsePublicEvent(type, data, acceptedTypes[parsedName.category]);
  if (!parsed.ok) return parsed;
  const field = idField[parsedName.category];
  const id = (parsed.event.data as Readonly<Record<string, unknown>>)[field];
  if (id !== parsedName.id) {
    return {
      ok: false,
      error: new InvalidEventError(type, [{ path: field, message: `'${String(id)}' does not match the stream's id '${parsedName.id}'` }]),
    };
  }
  return parsed as ParsedEvent<StreamEvent>;
}

