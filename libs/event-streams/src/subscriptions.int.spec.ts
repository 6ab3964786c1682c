import { firstValueFrom, filter, take, takeWhile, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from './catalog.ts';
import type { EventStore } from './connection.ts';
import { comparePositions } from './position.ts';
import type { SubscriptionMessage } from './subscriptions.ts';
import { captureLogger, connectForTest, orderEvents, placed, uniquePrefix, waitFor } from './test-setup/fixtures.ts';

type OrderMessage = SubscriptionMessage<CatalogEvent<typeof orderEvents>>;

const untilCaughtUp = (source: Observable<OrderMessage>) =>
  firstValueFrom(source.pipe(takeWhile((message) => message.kind !== 'caught-up'), toArray()));

describe('catch-up subscriptions as Observables', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await connectForTest(captureLogger().logger);
  });
  afterAll(() => store.close());

  it('$all with a stream-name prefix: only matching streams, typed, in $all order, then live events', async () => {
    const prefix = uniquePrefix('sub');
    await store.appendEvents(`${prefix}a`, orderEvents, [placed('a1')]);
    await store.appendEvents(`other-${prefix}x`, orderEvents, [placed('x1')]);
    await store.appendEvents(`${prefix}b`, orderEvents, [placed('b1')]);
    await store.appendEvents(`${prefix}a`, orderEvents, [placed('a2')]);

    const received: OrderMessage[] = [];
    const subscription = store.subscribeToAll$({ catalog: orderEvents, filter: { streamNamePrefixes: [prefix] } }).subscribe((message) => received.push(message));
    try {
      await waitFor(() => received.some((message) => message.kind === 'caught-up'), 'caught up');
      await store.appendEvents(`${prefix}b`, orderEvents, [placed('b2')]);
      await waitFor(() => received.filter((message) => message.kind === 'event').length === 4, 'the live event');
    } finally {
      subscription.unsubscribe();
    }
    const events = received.flatMap((message) => (message.kind === 'event' ? [message] : []));
    expect(events.map((message) => [message.streamId, message.event.data.orderId])).toEqual([
      [`${prefix}a`, 'a1'],
      [`${prefix}b`, 'b1'],
      [`${prefix}a`, 'a2'],
      [`${prefix}b`, 'b2'],
    ]);
    expect(events.map((message) => message.revision)).toEqual([0n, 0n, 1n, 1n]);
    for (let index = 1; index < events.length; index++) {
      expect(comparePositions(events[index - 1]!.position!, events[index]!.position!)).toBeLessThan(0);
    }
  });

  it('filtered $all reports checkpoints past the events it skipped, so a consumer need not rescan them', async () => {
    const prefix = uniquePrefix('chk');
    const start = await store.appendEvents(`${prefix}start`, orderEvents, [placed('s')]);
    let lastSkipped = start.position!;
    for (let batch = 0; batch < 4; batch++) {
      const appended = await store.appendEvents(`noise-${prefix}${batch}`, orderEvents, Array.from({ length: 25 }, (_, index) => placed(`n${index}`)));
      lastSkipped = appended.position!;
    }
    const messages = await untilCaughtUp(
      store.subscribeToAll$({ catalog: orderEvents, from: start.position!, filter: { streamNamePrefixes: [`${prefix}match`] } }),
    );
    expect(messages.filter((message) => message.kind === 'event')).toEqual([]);
    const checkpoints = messages.flatMap((message) => (message.kind === 'checkpoint' ? [message.position] : []));
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(comparePositions(checkpoints.at(-1)!, lastSkipped)).toBeGreaterThanOrEqual(0);
  });

  it('event-type prefix and regex filters', async () => {
    const prefix = uniquePrefix('typ');
    const start = await store.appendEvents(`${prefix}s`, orderEvents, [placed('s')]);
    await store.appendEvents(`${prefix}s`, orderEvents, [{ type: 'OrderCancelled', data: { orderId: 's', reason: 'r' } }, placed('t')]);
    const byType = await untilCaughtUp(
      store.subscribeToAll$({ catalog: orderEvents, from: start.position!, filter: { eventTypePrefixes: ['OrderCanc'] } }),
    );
    expect(byType.flatMap((message) => (message.kind === 'event' ? [message.event.type] : []))).toEqual(['OrderCancelled']);
    const byRegex = await untilCaughtUp(
      store.subscribeToAll$({ catalog: orderEvents, from: start.position!, filter: { streamNameRegex: `^${prefix}s$` } }),
    );
    expect(byRegex.flatMap((message) => (message.kind === 'event' ? [message.event.type] : []))).toEqual(['OrderCancelled', 'OrderPlaced']);
  });

  it('a stream subscription starts after the given revision', async () => {
    const stream = `${uniquePrefix('str')}s`;
    await store.appendEvents(stream, orderEvents, [placed('r0'), placed('r1'), placed('r2')]);
    const messages = await untilCaughtUp(store.subscribeToStream$(stream, { catalog: orderEvents, from: 0n }));
    expect(messages.flatMap((message) => (message.kind === 'event' ? [message.event.data.orderId] : []))).toEqual(['r1', 'r2']);
  });

  it('a malformed event comes through as a rejection and the subscription goes on', async () => {
    const stream = `${uniquePrefix('bad')}s`;
    await store.appendEvents(stream, orderEvents, [placed('before')]);
    await store.appendUncheckedEvents(stream, [{ type: 'OrderPlaced', data: { orderId: '' } }]);
    await store.appendEvents(stream, orderEvents, [placed('after')]);
    const messages = await untilCaughtUp(store.subscribeToStream$(stream, { catalog: orderEvents }));
    expect(messages.map((message) => (message.kind === 'event' ? message.event.data.orderId : message.kind))).toEqual(['before', 'rejected', 'after']);
    const rejection = messages.find((message) => message.kind === 'rejected');
    expect(rejection).toMatchObject({ streamId: stream, eventType: 'OrderPlaced', revision: 1n, reason: { kind: 'schema-mismatch' } });
  });

  it('after unsubscribe nothing more arrives, and the connection closes without waiting', async () => {
    const stream = `${uniquePrefix('uns')}s`;
    const other = await connectForTest(captureLogger().logger);
    const received: OrderMessage[] = [];
    const subscription = other.subscribeToStream$(stream, { catalog: orderEvents }).subscribe((message) => received.push(message));
    await store.appendEvents(stream, orderEvents, [placed('one')]);
    await waitFor(() => received.some((message) => message.kind === 'event'), 'the first event');
    subscription.unsubscribe();
    await store.appendEvents(stream, orderEvents, [placed('two')]);
    // A fresh subscription sees both, so `two` was there to be delivered had the first one stayed open.
    const both = await firstValueFrom(
      store.subscribeToStream$(stream, { catalog: orderEvents }).pipe(filter((message) => message.kind === 'event'), take(2), toArray()),
    );
    expect(both).toHaveLength(2);
    expect(received.filter((message) => message.kind === 'event')).toHaveLength(1);
    await other.close();
  });
});
