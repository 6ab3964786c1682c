import type { CatalogEvent, EventCatalog, EventStore, StoredEvent } from '@spillway/event-streams';

/** The latest valid event of a stream, or undefined when the stream has none. */
export async function readLatest<C extends EventCatalog>(store: EventStore, stream: string, catalog: C): Promise<StoredEvent<CatalogEvent<C>> | undefined> {
  const [latest] = await store.readStreamEvents(stream, catalog, { direction: 'backwards', maxCount: 1 });
  return latest;
}

/**
 * The latest event of every stream whose name starts with `prefix` (`dataflow-`), read with a
 * filtered catch-up subscription on $all until it has caught up. Streams appear in the order
 * they were first written.
 */
export async function readLatestByStream<C extends EventCatalog>(
  store: EventStore,
  prefix: string,
  catalog: C,
): Promise<StoredEvent<CatalogEvent<C>>[]> {
  const latest = new Map<string, StoredEvent<CatalogEvent<C>>>();
  const subscription = store.openAllSubscription({ catalog, filter: { streamNamePrefixes: [prefix] }, from: 'start' });
  try {
    for await (const message of subscription.messages) {
      if (message.kind === 'caught-up') break;
      if (message.kind === 'event') latest.set(message.streamId, message);
    }
  } finally {
    await subscription.close();
  }
  return [...latest.values()];
}
