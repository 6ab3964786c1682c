import { BACKWARDS, END, FORWARDS, START, type EventStoreDBClient, type ReadStreamOptions as ClientReadStreamOptions } from '@eventstore/db-client';
import type { Logger } from '@spillway/runtime';
import type { CatalogEvent, EventCatalog } from './catalog.ts';
import { StreamNotFoundError } from './errors.ts';
import { mapStoreError } from './map-store-error.ts';
import { logRejection, readRecordedEvent, type ClientRecordedEvent, type StoredEvent } from './recorded-event.ts';

export interface ReadStreamOptions {
  /** Revision to start at (inclusive). @defaultValue 'start' forwards, 'end' backwards */
  readonly from?: bigint | 'start' | 'end';
  /** @defaultValue 'forwards' */
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
  /** What a missing stream gives: no events, or StreamNotFoundError. @defaultValue 'empty' */
  readonly ifMissing?: 'empty' | 'throw';
}

/**
 * Reads a stream's events, validated against the catalog. Malformed events are logged and
 * left out; unknown types are left out or reported as the catalog says.
 */
export async function readStreamEvents<C extends EventCatalog>(
  client: EventStoreDBClient,
  logger: Logger,
  stream: string,
  catalog: C,
  options: ReadStreamOptions = {},
): Promise<StoredEvent<CatalogEvent<C>>[]> {
  const events: StoredEvent<CatalogEvent<C>>[] = [];
  try {
    const read = client.readStream(stream, toClientReadOptions(options));
    for await (const resolved of read) {
      if (!resolved.event) continue;
      const outcome = readRecordedEvent(catalog, resolved.event as ClientRecordedEvent);
      if (outcome.outcome === 'accepted') events.push(outcome.stored);
      else if (outcome.outcome === 'rejected') logRejection(logger, outcome.rejected, { operation: 'read' });
    }
  } catch (error) {
    const mapped = mapStoreError(error, { operation: 'read', stream });
    if (mapped instanceof StreamNotFoundError && (options.ifMissing ?? 'empty') === 'empty') return [];
    throw mapped;
  }
  return events;
}

function toClientReadOptions(options: ReadStreamOptions): ClientReadStreamOptions {
  const backwards = options.direction === 'backwards';
  const from = options.from ?? (backwards ? 'end' : 'start');
  return {
    direction: backwards ? BACKWARDS : FORWARDS,
    fromRevision: from === 'start' ? START : from === 'end' ? END : from,
    ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
  };
}
