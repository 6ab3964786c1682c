import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from './catalog.ts';
import { createStreamCheckpointStore, type CheckpointStore } from './checkpoint-store.ts';
import type { EventStore } from './connection.ts';
import { runConsumer, type ConsumerOptions } from './consumer.ts';
import { HandlerFailedError, StoreUnavailableError } from './errors.ts';
import { comparePositions } from './position.ts';
import { rejectionEvents, rejectionStreamName } from './rejection-stream.ts';
import type { EventMessage } from './subscriptions.ts';
import { captureLogger, connectForTest, orderEvents, placed, uniquePrefix, waitFor, type CapturedLogger } from './test-setup/fixtures.ts';

type OrderMessage = EventMessage<CatalogEvent<typeof orderEvents>>;

describe('checkpointed consumers', () => {
  let log: CapturedLogger;
  let store: EventStore;
  beforeAll(async () => {
    log = captureLogger();
    store = await connectForTest(log.logger);
  });
  afterAll(() => store.close());

  const consume = (prefix: string, seen: string[], overrides: Partial<ConsumerOptions<typeof orderEvents>> = {}) =>
    runConsumer({
      store,
      consumer: prefix.slice(0, -1),
      catalog: orderEvents,
      filter: { streamNamePrefixes: [prefix] },
      handle: (message: OrderMessage) => void seen.push(message.event.data.orderId),
      ...overrides,
    });

  it('resumes after a clean stop without losing or re-handling anything', async () => {
    const prefix = uniquePrefix('resume');
    await store.appendEvents(`${prefix}1`, orderEvents, [placed('a'), placed('b'), placed('c')]);
    const first: string[] = [];
    const consumerA = consume(prefix, first);
    await consumerA.caughtUp;
    await store.appendEvents(`${prefix}2`, orderEvents, [placed('d')]);
    await waitFor(() => first.length === 4, 'the live event');
    await consumerA.stop();

    await store.appendEvents(`${prefix}1`, orderEvents, [placed('e'), placed('f')]);
    const second: string[] = [];
    const consumerB = consume(prefix, second);
    await consumerB.caughtUp;
    await consumerB.stop();
    expect(first).toEqual(['a', 'b', 'c', 'd']);
    expect(second).toEqual(['e', 'f']);
  });

  it('after a crash re-handles only what came after the last stored checkpoint (at most `events` events)', async () => {
    const prefix = uniquePrefix('crash');
    const every = 5;
    const realCheckpoints = createStreamCheckpointStore(store);
    let crashed = false;
    // Saves after the "crash" never reach the store, as if the process had died there.
    const dying: CheckpointStore = { load: (name) => realCheckpoints.load(name), save: async (name, at) => void (crashed || (await realCheckpoints.save(name, at))) };
    const ids = Array.from({ length: 12 }, (_, index) => `e${index + 1}`);

    const first: string[] = [];
    const consumerA = consume(prefix, first, {
      checkpoints: dying,
      checkpointEvery: { events: every, ms: 60_000 },
      handle: (message: OrderMessage) => {
        if (message.event.data.orderId === 'e11') crashed = true;
        first.push(message.event.data.orderId);
      },
    });
    await consumerA.caughtUp;
    for (const id of ids) await store.appendEvents(`${prefix}s`, orderEvents, [placed(id)]);
    await waitFor(() => first.length === ids.length, 'all events handled before the crash');
    await consumerA.stop();

    await store.appendEvents(`${prefix}s`, orderEvents, [placed('e13')]);
    const second: string[] = [];
    const consumerB = consume(prefix, second, { checkpointEvery: { events: every, ms: 60_000 } });
    await waitFor(() => second.includes('e13'), 'the event after the crash');
    await consumerB.stop();

    const rehandled = second.slice(0, -1);
    expect(rehandled.length).toBeGreaterThanOrEqual(2); // e11 and e12 were handled after the last stored checkpoint
    expect(rehandled.length).toBeLessThanOrEqual(every);
    expect(rehandled).toEqual(ids.slice(ids.length - rehandled.length));
    expect(new Set([...first, ...second])).toEqual(new Set([...ids, 'e13']));
  });

  it('reports, records and skips malformed events, and goes on', async () => {
    const prefix = uniquePrefix('reject');
    const consumer = prefix.slice(0, -1);
    await store.appendEvents(`${prefix}s`, orderEvents, [placed('good-1')]);
    await store.appendUncheckedEvents(`${prefix}s`, [
      { type: 'OrderPlaced', data: new TextEncoder().encode('not json'), id: '7c1e0b3a-aaaa-4c1d-9e8f-0a1b2c3d4e5f' },
      { type: 'OrderPlaced', data: { orderId: 'x', quantity: 0 }, id: '7c1e0b3a-bbbb-4c1d-9e8f-0a1b2c3d4e5f' },
      { type: 'OrderLost', data: {}, id: '7c1e0b3a-cccc-4c1d-9e8f-0a1b2c3d4e5f' },
    ]);
    await store.appendEvents(`${prefix}s`, orderEvents, [placed('good-2')]);
    const seen: string[] = [];
    const running = consume(prefix, seen);
    await running.caughtUp;
    await running.stop();

    expect(seen).toEqual(['good-1', 'good-2']);
    expect(running.stats()).toMatchObject({ handled: 2, rejected: 3 });
    const reports = log.withMessage('event rejected').filter((entry) => entry['consumer'] === consumer);
    expect(reports.map((entry) => [entry['stream'], entry['eventId'], entry['eventType'], entry['reason']])).toEqual([
      [`${prefix}s`, '7c1e0b3a-aaaa-4c1d-9e8f-0a1b2c3d4e5f', 'OrderPlaced', 'malformed-json'],
      [`${prefix}s`, '7c1e0b3a-bbbb-4c1d-9e8f-0a1b2c3d4e5f', 'OrderPlaced', 'schema-mismatch'],
      [`${prefix}s`, '7c1e0b3a-cccc-4c1d-9e8f-0a1b2c3d4e5f', 'OrderLost', 'unknown-type'],
    ]);
    const recorded = await store.readStreamEvents(rejectionStreamName(consumer), rejectionEvents);
    expect(recorded.map((stored) => stored.event.data)).toMatchObject([
      { stream: `${prefix}s`, eventId: '7c1e0b3a-aaaa-4c1d-9e8f-0a1b2c3d4e5f', reason: 'malformed-json' },
      { eventId: '7c1e0b3a-bbbb-4c1d-9e8f-0a1b2c3d4e5f', reason: 'schema-mismatch', issues: [{ path: 'quantity' }] },
      { eventId: '7c1e0b3a-cccc-4c1d-9e8f-0a1b2c3d4e5f', eventType: 'OrderLost', reason: 'unknown-type' },
    ]);
  });

  it('goes on reading while a checkpoint is being stored', async () => {
    const prefix = uniquePrefix('slowsave');
    const realCheckpoints = createStreamCheckpointStore(store);
    let releaseSaves: () => void = () => {};
    const savesReleased = new Promise<void>((resolve) => (releaseSaves = resolve));
    let savesStarted = 0;
    // A store that takes its time to commit: the first save hangs until released.
    const slow: CheckpointStore = {
      load: (name) => realCheckpoints.load(name),
      save: async (name, at) => {
        savesStarted++;
        await savesReleased;
        await realCheckpoints.save(name, at);
      },
    };
    await store.appendEvents(`${prefix}1`, orderEvents, Array.from({ length: 30 }, (_, index) => placed(`o${index}`)));
    const seen: string[] = [];
    const running = consume(prefix, seen, { checkpoints: slow, checkpointEvery: { events: 5, ms: 60_000 } });
    await waitFor(() => seen.length === 30, 'every event, with the first checkpoint still being stored');
    expect(savesStarted).toBe(1);
    releaseSaves();
    await running.stop();
    expect(await realCheckpoints.load(prefix.slice(0, -1))).toEqual(running.stats().checkpoint);
    expect(running.stats().handled).toBe(30);
  });

  it('stores the checkpoint past skipped streams, so a restart does not rescan them', async () => {
    const prefix = uniquePrefix('quiet');
    const seen: string[] = [];
    const running = consume(prefix, seen);
    await running.caughtUp;
    const before = await store.appendEvents(`noise-${prefix}s`, orderEvents, [placed('first')]);
    // The store reports a checkpoint every 1,024 scanned events (32 x its 32-event filter window;
    // subscriptions.ts), and once no commit has come for 200 ms.
    await store.appendEvents(`noise-${prefix}s`, orderEvents, Array.from({ length: 80 }, (_, index) => placed(`n${index}`)));
    await waitFor(() => {
      const position = running.stats().position;
      return position !== undefined && comparePositions(position, before.position!) > 0;
    }, 'the consumer to scan past the noise');
    await running.stop();
    expect(seen).toEqual([]);
    expect(comparePositions(running.stats().checkpoint!, before.position!)).toBeGreaterThan(0);
    expect(await createStreamCheckpointStore(store).load(prefix.slice(0, -1))).toEqual(running.stats().checkpoint);
  });

  it('retries a handler that hits a transient store error, and stops on any other error without checkpointing past it', async () => {
    const prefix = uniquePrefix('fail');
    await store.appendEvents(`${prefix}s`, orderEvents, [placed('flaky'), placed('broken'), placed('never')]);
    const attempts: string[] = [];
    const running = consume(prefix, [], {
      backoff: { initialMs: 10, maxMs: 20 },
      handle: (message: OrderMessage) => {
        const id = message.event.data.orderId;
        attempts.push(id);
        if (id === 'flaky' && attempts.length === 1) throw new StoreUnavailableError({ operation: 'append' });
        if (id === 'broken') throw new Error('bug in the handler');
      },
    });
    const failure = await running.done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HandlerFailedError);
    expect(failure).toMatchObject({ type: 'handler-failed', eventType: 'OrderPlaced', stream: `${prefix}s` });
    expect(attempts).toEqual(['flaky', 'flaky', 'broken']);

    const again: string[] = [];
    const restarted = consume(prefix, again);
    await restarted.caughtUp;
    await restarted.stop();
    expect(again).toEqual(['broken', 'never']);
  });
});
