import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type EventStoreDBClient,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { finished, type Readable } from 'node:stream';
import type { Logger } from '@spillway/runtime';
import type { CatalogEvent, EventCatalog } from './catalog.ts';
import { isStreamNotFound, mapStoreError } from './map-store-error.ts';
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

/** A read's valid events, and the revisions of the first and last events it read, valid or not. */
export interface StreamPage<E> {
  readonly events: StoredEvent<E>[];
  /** undefined when the read found no event at all. */
  readonly revisionsRead: { readonly first: bigint; readonly last: bigint } | undefined;
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
  return (await readStreamPage(client, logger, stream, catalog, options)).events;
}

/** readStreamEvents, telling also which revisions the read went over, the events it left out among them. */
export async function readStreamPage<C extends EventCatalog>(
  client: EventStoreDBClient,
  logger: Logger,
  stream: string,
  catalog: C,
  options: ReadStreamOptions = {},
): Promise<StreamPage<CatalogEvent<C>>> {
  const events: StoredEvent<CatalogEvent<C>>[] = [];
  let first: bigint | undefined;
  let last: bigint | undefined;
  try {
    await eachResolvedEvent(client.readStream(stream, toClientReadOptions(options)), (resolved) => {
      if (!resolved.event) return;
      last = resolved.event.revision;
      first ??= last;
      const outcome = readRecordedEvent(catalog, resolved.event as ClientRecordedEvent);
      if (outcome.outcome === 'accepted') events.push(outcome.stored);
      else if (outcome.outcome === 'rejected') logRejection(logger, outcome.rejected, { operation: 'read' });
    });
  } catch (error) {
    // A missing stream is an ordinary answer (every new profile): no error of ours is built for it.
    if ((options.ifMissing ?? 'empty') === 'empty' && isStreamNotFound(error)) return { events: [], revisionsRead: undefined };
    throw mapStoreError(error, { operation: 'read', stream });
  }
  return { events, revisionsRead: first === undefined || last === undefined ? undefined : { first, last } };
}

/**
 * Hands each event of the read to `onEvent` and settles when the read ends or fails, as
 * `for await` would, but without its AbortError: when a read fails (a missing stream, each time
 * a new profile is read), the async iterator destroys the stream with one, and Node formats its
 * stack trace at once. The failed read is destroyed without an error; its gRPC call has ended.
 */
function eachResolvedEvent(read: StreamingRead<ResolvedEvent>, onEvent: (resolved: ResolvedEvent) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let thrown: { readonly error: unknown } | undefined;
    read.on('data', (resolved: ResolvedEvent) => {
      if (thrown) return;
      try {
        onEvent(resolved);
      } catch (error) {
        thrown = { error };
        read.destroy();
      }
    });
    // The client declares its reads with its own copy of @types/node: the same Readable, another type.
    finished(read as unknown as Readable, { writable: false }, (error) => {
      if (thrown) return reject(thrown.error);
      if (!error) return resolve();
      reject(error);
      read.destroy();
    });
  });
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
