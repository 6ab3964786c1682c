import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from './catalog.ts';
import { createStreamCheckpointStore } from './checkpoint-store.ts';
import type { EventStore } from './connection.ts';
import { runConsumer, type ConsumerOptions } from './consumer.ts';
import type { Position } from './position.ts';
import type { EventMessage } from './subscriptions.ts';
import { captureLogger, connectForTest, orderEvents, placed, uniquePrefix, waitFor, type CapturedLogger } from './test-setup/fixtures.ts';

type OrderMessage = EventMessage<CatalogEvent<typeof orderEvents>>;

describe('a handler error raised while the consumer stops', () => {
  let log: CapturedLogger;
  let store: EventStore;
  beforeAll(async () => {
    log = captureLogger();
    store = await connectForTest(log.logger);
  });
  afterAll(() => store.close());

  const consume = (prefix: string, handle: (message: OrderMessage) => Promise<void> | void, overrides: Partial<ConsumerOptions<typeof orderEvents>> = {}) =>
    runConsumer({
      store,
      consumer: prefix.slice(0, -1),
      catalog: orderEvents,
      filter: { streamNamePrefixes: [prefix] },
      handle,
      logger: log.logger,
      ...overrides,
    });

  async function appendEach(events: readonly (readonly [stream: string, id: string])[]): Promise<Map<string, Position>> {
    const positions = new Map<string, Position>();
    for (const [stream, id] of events) positions.set(id, (await store.appendEvents(stream, orderEvents, [placed(id)])).position!);
    return positions;
  }

  it.each([
    ['one event at a time', undefined],
    ['keyed concurrency', { key: (message: OrderMessage) => message.streamId, maxInFlight: 8 }],
  ])('with %s: leaves the event unfinished, logs no failure, resolves done, and hands the event again after a restart', async (_, concurrency) => {
    const prefix = uniquePrefix('stopabort');
    const consumerName = prefix.slice(0, -1);
    const positions = await appendEach([[`${prefix}a`, 'e1'], [`${prefix}b`, 'e2'], [`${prefix}a`, 'e3']]);
    const stopping = new AbortController();
    const handled: string[] = [];
    let inFlight = false;
    // Like the delivery agent: e2's work is aborted when the service stops, and the handler throws.
    const running = consume(
      prefix,
      async (message) => {
        const id = message.event.data.orderId;
        if (id === 'e2') {
          inFlight = true;
          await new Promise<never>((_, reject) => stopping.signal.addEventListener('abort', () => reject(new Error('delivery aborted by the stop'))));
        }
        handled.push(id);
      },
      { ...(concurrency ? { concurrency } : {}), checkpointEvery: { events: 1, ms: 60_000 } },
    );
    await waitFor(() => inFlight, 'e2 in flight');
    const stopped = running.stop();
    stopping.abort();
    await stopped;

    await expect(running.done).resolves.toBeUndefined();
    expect(handled).not.toContain('e2');
    expect(log.entries.filter((entry) => entry.level === 'error' && entry['consumer'] === consumerName)).toEqual([]);
    expect(await createStreamCheckpointStore(store).load(consumerName)).toEqual(positions.get('e1'));

    const again: string[] = [];
    const restarted = consume(prefix, (message) => void again.push(message.event.data.orderId));
    await restarted.caughtUp;
    await restarted.stop();
    // The checkpoint stayed before e2, so e3 comes again too even if it finished before the stop.
    expect(again).toEqual(['e2', 'e3']);
  });
});
