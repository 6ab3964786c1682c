import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from './catalog.ts';
import { createStreamCheckpointStore, type CheckpointStore } from './checkpoint-store.ts';
import type { EventStore } from './connection.ts';
import { runConsumer, type ConsumerOptions } from './consumer.ts';
import { HandlerFailedError } from './errors.ts';
import { comparePositions, type Position } from './position.ts';
import type { EventMessage } from './subscriptions.ts';
import { captureLogger, connectForTest, orderEvents, placed, uniquePrefix, waitFor } from './test-setup/fixtures.ts';

type OrderMessage = EventMessage<CatalogEvent<typeof orderEvents>>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('consumers with keyed concurrency', () => {
  let store: EventStore;
  beforeAll(async () => (store = await connectForTest(captureLogger().logger)));
  afterAll(() => store.close());

  const consume = (prefix: string, handle: (message: OrderMessage) => Promise<void> | void, overrides: Partial<ConsumerOptions<typeof orderEvents>> = {}) =>
    runConsumer({
      store,
      consumer: prefix.slice(0, -1),
      catalog: orderEvents,
      filter: { streamNamePrefixes: [prefix] },
      concurrency: { key: (message) => message.streamId, maxInFlight: 16 },
      handle,
      ...overrides,
    });

  /** Appends one event per call, so each returned position is that event's. */
  async function appendEach(events: readonly (readonly [stream: string, id: string])[]): Promise<Map<string, Position>> {
    const positions = new Map<string, Position>();
    for (const [stream, id] of events) positions.set(id, (await store.appendEvents(stream, orderEvents, [placed(id)])).position!);
    return positions;
  }

  it('handles events of different keys side by side', async () => {
    const prefix = uniquePrefix('overlap');
    await appendEach([[`${prefix}a`, 'a1'], [`${prefix}b`, 'b1']]);
    const bStarted = gate();
    let overlapped = false;
    const running = consume(prefix, async (message) => {
      if (message.event.data.orderId === 'b1') return bStarted.open();
      // a1 is first in $all order: sequential handling could not start b1 before it ends.
      overlapped = await Promise.race([bStarted.opened.then(() => true), sleep(3000).then(() => false)]);
    });
    await running.caughtUp;
    await running.stop();
    expect(overlapped).toBe(true);
  });

  it('handles the events of one key one at a time, in $all order', async () => {
    const prefix = uniquePrefix('ordered');
    const keys = ['k0', 'k1', 'k2', 'k3'];
    const plan = Array.from({ length: 80 }, (_, index) => [`${prefix}${keys[(index * 7) % 4]}`, `e${index}`] as const);
    await appendEach(plan);
    const seen = new Map<string, string[]>();
    const active = new Set<string>();
    let sameKeyOverlap = false;
    let mostActive = 0;
    const running = consume(prefix, async (message) => {
      if (active.has(message.streamId)) sameKeyOverlap = true;
      active.add(message.streamId);
      mostActive = Math.max(mostActive, active.size);
      await sleep(message.event.data.orderId.length % 3);
      seen.set(message.streamId, [...(seen.get(message.streamId) ?? []), message.event.data.orderId]);
      active.delete(message.streamId);
    });
    await running.caughtUp;
    await running.stop();
    expect(sameKeyOverlap).toBe(false);
    expect(mostActive).toBeGreaterThan(1);
    for (const key of keys) {
      const stream = `${prefix}${key}`;
      expect(seen.get(stream)).toEqual(plan.filter(([name]) => name === stream).map(([, id]) => id));
    }
  });

  it('never stores a checkpoint past an unfinished event, and after a crash re-handles only from it on', async () => {
    const prefix = uniquePrefix('watermark');
    const realCheckpoints = createStreamCheckpointStore(store);
    let crashed = false;
    // Saves after the "crash" never reach the store, as if the process had died there.
    const dying: CheckpointStore = { load: (name) => realCheckpoints.load(name), save: async (name, at) => void (crashed || (await realCheckpoints.save(name, at))) };
    const plan = [[`${prefix}k1`, 'e1'], [`${prefix}k2`, 'e2'], [`${prefix}k3`, 'e3'], [`${prefix}k1`, 'e4'], [`${prefix}k3`, 'e5']] as const;
    const positions = await appendEach(plan);
    const blocker = gate();
    const first: string[] = [];
    const consumerA = consume(
      prefix,
      async (message) => {
        if (message.event.data.orderId === 'e2') await blocker.opened;
        first.push(message.event.data.orderId);
      },
      { checkpoints: dying, checkpointEvery: { events: 1, ms: 60_000 } },
    );
    await waitFor(() => first.length === 4, 'every event but the blocked one');
    // Make sure a checkpoint was stored after the last event finished.
    await waitFor(() => consumerA.stats().checkpoint !== undefined && comparePositions(consumerA.stats().checkpoint!, positions.get('e1')!) >= 0, 'a checkpoint');
    await sleep(50);
    expect(first).toEqual(['e1', 'e3', 'e4', 'e5']);
    expect(consumerA.stats()).toMatchObject({ position: positions.get('e1'), checkpoint: positions.get('e1'), inFlight: 1 });
    expect(await realCheckpoints.load(prefix.slice(0, -1))).toEqual(positions.get('e1'));

    crashed = true;
    blocker.open();
    await consumerA.stop();
    const second: string[] = [];
    const consumerB = consume(prefix, (message) => void second.push(message.event.data.orderId));
    await consumerB.caughtUp;
    await consumerB.stop();
    expect(second).toEqual(['e2', 'e3', 'e4', 'e5']);
  });

  it('does not read further from the subscription than maxInFlight events', async () => {
    const prefix = uniquePrefix('backpressure');
    await appendEach(Array.from({ length: 20 }, (_, index) => [`${prefix}k${index}`, `e${index}`] as const));
    const blocker = gate();
    const started: string[] = [];
    const running = consume(
      prefix,
      async (message) => {
        started.push(message.event.data.orderId);
        await blocker.opened;
      },
      { concurrency: { key: (message) => message.streamId, maxInFlight: 3 } },
    );
    await waitFor(() => started.length === 3, 'the first three events');
    await sleep(200);
    expect(started).toEqual(['e0', 'e1', 'e2']);
    expect(running.stats().inFlight).toBe(3);
    blocker.open();
    await running.caughtUp;
    await running.stop();
    expect(started).toHaveLength(20);
  });

  it('stops on a handler error without handling that key further or checkpointing past the failed event', async () => {
    const prefix = uniquePrefix('failing');
    const positions = await appendEach([[`${prefix}a`, 'a1'], [`${prefix}a`, 'broken'], [`${prefix}b`, 'b1'], [`${prefix}a`, 'a3']]);
    const handled: string[] = [];
    const running = consume(prefix, async (message) => {
      const id = message.event.data.orderId;
      if (id === 'broken') {
        await sleep(20);
        throw new Error('bug in the handler');
      }
      handled.push(id);
    });
    const failure = await running.done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HandlerFailedError);
    expect(handled).not.toContain('a3');
    expect(running.stats().checkpoint).toEqual(positions.get('a1'));

    const again: string[] = [];
    const restarted = consume(prefix, (message) => void again.push(message.event.data.orderId));
    await restarted.caughtUp;
    await restarted.stop();
    expect(again).toEqual(['broken', 'b1', 'a3']);
  });
});
