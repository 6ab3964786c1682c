import type { CatalogEvent, EventCatalog } from './catalog.ts';
import type { EventStore } from './connection.ts';
import type { StoredEvent } from './recorded-event.ts';
import type { StreamPage } from './read.ts';

/** The latest valid event of a stream, or undefined when the stream has none. */
export async function readLatest<C extends EventCatalog>(store: EventStore, stream: string, catalog: C): Promise<StoredEvent<CatalogEvent<C>> | undefined> {
  return (await readCurrent(store, stream, catalog)).latest;
}

/** A stream's latest valid event, and the revision of its newest event, valid or not. */
export interface StreamCurrent<E> {
  readonly latest: StoredEvent<E> | undefined;
  /** What an append after the newest event expects. */
  readonly revision: bigint | 'no_stream';
}

/**
 * The latest valid event and the stream's revision. A malformed event at the end (written by a
 * careless producer) is left out, as every consumer leaves it out, and the event before it is the
 * latest; the revision is still the malformed one's, so that a write after it is not refused.
 */
export async function readCurrent<C extends EventCatalog>(store: EventStore, stream: string, catalog: C): Promise<StreamCurrent<CatalogEvent<C>>> {
  let newest: bigint | undefined;
  let from: bigint | 'end' = 'end';
  let maxCount = 1; // the newest event is nearly always valid
  for (;;) {
    const { events, revisionsRead }: StreamPage<CatalogEvent<C>> = await store.readStreamPage(stream, catalog, { direction: 'backwards', from, maxCount });
    if (revisionsRead === undefined) return { latest: undefined, revision: newest ?? 'no_stream' };
    newest ??= revisionsRead.first;
    const [latest] = events;
    if (latest !== undefined || revisionsRead.last === 0n) return { latest, revision: newest };
    from = revisionsRead.last - 1n;
    maxCount = 100;
  }
}

/**
 * The latest event of every stream named `<prefix><id>`, in one filtered pass over $all until it
 * has caught up (memory: one event per stream), in the order the streams were first written.
 * `prefix` also matches streams of other categories that merely start the same way; `accept`
 * keeps only the ones that belong.
 */
export async function readLatestByStream<C extends EventCatalog>(
  store: EventStore,
  prefix: string,
  catalog: C,
  accept: (streamId: string) => boolean = () => true,
): Promise<StoredEvent<CatalogEvent<C>>[]> {
  const latest = new Map<string, StoredEvent<CatalogEvent<C>>>();
  const subscription = store.openAllSubscription({ catalog, filter: { streamNamePrefixes: [prefix] }, from: 'start' });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'event' && accept(message.streamId)) latest.set(message.streamId, message);
    }
  } finally {
    await subscription.close();
  }
  return [...latest.values()];
}

/** Every valid event of one stream, one at a time (bounded memory), until it has caught up. */
export async function* eachStreamEvent<C extends EventCatalog>(store: EventStore, stream: string, catalog: C): AsyncGenerator<StoredEvent<CatalogEvent<C>>> {
  const subscription = store.openStreamSubscription(stream, { catalog, from: 'start' });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') return;
      if (message.kind === 'event') yield message;
    }
  } finally {
    await subscription.close();
  }
}

/**
 * A stream's valid events from the newest back, read page by page (bounded memory) for as long as
 * the caller takes them. The catalog must name every type the stream holds: a page whose events
 * were all left out would look like the start of the stream and end the read.
 */
export async function* eachStreamEventBackwards<C extends EventCatalog>(
  store: EventStore,
  stream: string,
  catalog: C,
  options: { readonly from?: bigint | 'end'; readonly pageSize?: number } = {},
): AsyncGenerator<StoredEvent<CatalogEvent<C>>> {
  const pageSize = options.pageSize ?? 500;
  let from = options.from ?? 'end';
  for (;;) {
    const page: StoredEvent<CatalogEvent<C>>[] = await store.readStreamEvents(stream, catalog, { direction: 'backwards', from, maxCount: pageSize });
    yield* page;
    const oldest = page.at(-1);
    if (oldest === undefined || oldest.revision === 0n) return;
    from = oldest.revision - 1n;
  }
}
