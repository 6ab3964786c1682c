import { startStoreProcess, type StoreProcess } from '@spillway/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from './catalog.ts';
import { runConsumer } from './consumer.ts';
import type { EventMessage } from './subscriptions.ts';
import { captureLogger, connectForTest, orderEvents, placed, waitFor } from './test-setup/fixtures.ts';

type OrderMessage = EventMessage<CatalogEvent<typeof orderEvents>>;

describe('when the store process goes away', () => {
  const processes: StoreProcess[] = [];
  afterAll(async () => {
    for (const process of processes.reverse()) await process.stop().catch(() => undefined);
    await processes[0]?.removeData();
  });

  it('subscriptions reconnect with backoff, resume from the last event seen, and say so in the log', async () => {
    const first = await startStoreProcess();
    processes.push(first);
    const log = captureLogger();
    const store = await connectForTest(log.logger, first.connectionString);
    const seen: string[] = [];
    const consumer = runConsumer({
      store,
      consumer: 'reconnecting',
      catalog: orderEvents,
      filter: { streamNamePrefixes: ['order-'] },
      backoff: { initialMs: 50, maxMs: 500 },
      handle: (message: OrderMessage) => void seen.push(message.event.data.orderId),
    });
    try {
      await store.appendEvents('order-1', orderEvents, [placed('before-1'), placed('before-2')]);
      await waitFor(() => seen.length === 2, 'the events before the kill');

      await first.kill();
      await waitFor(() => log.withMessage('subscription dropped, reconnecting').length > 0, 'the drop to be logged');
      const second = await first.restart();
      processes.push(second);

      await store.appendEvents('order-2', orderEvents, [placed('after-1')]);
      await store.appendEvents('order-1', orderEvents, [placed('after-2')]);
      await waitFor(() => seen.length === 4, 'the events after the restart', 20_000);
      expect(seen).toEqual(['before-1', 'before-2', 'after-1', 'after-2']);
      const drop = log.withMessage('subscription dropped, reconnecting')[0];
      expect(drop).toMatchObject({ level: 'warn', consumer: 'reconnecting', subscription: '$all' });
      expect(drop?.['resumeFrom']).toEqual(expect.any(String));
      expect(log.withMessage('subscription resumed')).not.toHaveLength(0);
    } finally {
      await consumer.stop();
      await store.close();
    }
  });
});
