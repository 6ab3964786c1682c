import { binaryEvent, jsonEvent, type EventData, type EventStoreDBClient, type JSONType } from '@eventstore/db-client';
import type { EventCatalog, EventToAppend } from './catalog.ts';
import { validateForAppend } from './catalog.ts';
import { InvalidEventError, type ExpectedRevision } from './errors.ts';
import { mapStoreError } from './map-store-error.ts';
import type { Position } from './position.ts';

export interface AppendOptions {
  /** @defaultValue 'any' */
  readonly expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  readonly nextExpectedRevision: bigint;
  readonly position: Position | undefined;
}

/**
 * Validates every event against its schema first (nothing is written if one is invalid,
 * InvalidEventError), then appends them atomically.
 */
export async function appendEvents<C extends EventCatalog>(
  client: EventStoreDBClient,
  stream: string,
  catalog: C,
  events: readonly EventToAppend<C>[],
  options: AppendOptions = {},
): Promise<AppendResult> {
  for (const event of events) {
    const verdict = validateForAppend(catalog, event);
    if (!verdict.ok) throw new InvalidEventError(stream, event.type, verdict.issues);
  }
  return appendUnchecked(
    client,
    stream,
    events.map((event) => ({ type: event.type, data: event.data, id: event.id, metadata: event.metadata })),
    options,
  );
}

export interface UncheckedEvent {
  readonly type: string;
  /** JSON-serialisable data, or raw bytes written as-is. */
  readonly data: unknown;
  readonly id?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** Appends without validation: for tools and tests that must write what a careless producer could. */
export async function appendUnchecked(
  client: EventStoreDBClient,
  stream: string,
  events: readonly UncheckedEvent[],
  options: AppendOptions = {},
): Promise<AppendResult> {
  const expectedRevision = options.expectedRevision ?? 'any';
  try {
    const result = await client.appendToStream(stream, events.map(toEventData), { expectedRevision });
    return { nextExpectedRevision: result.nextExpectedRevision, position: result.position };
  } catch (error) {
    throw mapStoreError(error, { operation: 'append', stream, expected: expectedRevision });
  }
}

function toEventData(event: UncheckedEvent): EventData {
  const common = {
    type: event.type,
    ...(event.id ? { id: event.id } : {}),
    ...(event.metadata ? { metadata: { ...event.metadata } } : {}),
  };
  // Bytes go out unchanged (content type application/octet-stream): the only way the client can
  // write a payload that is not valid JSON, as a careless producer might.
  if (event.data instanceof Uint8Array) return binaryEvent({ ...common, data: event.data });
  return jsonEvent({ ...common, data: event.data as JSONType });
}
