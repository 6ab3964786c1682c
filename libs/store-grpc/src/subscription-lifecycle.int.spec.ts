import { EventStoreDBClient, jsonEvent, START, streamNameFilter } from '@eventstore/db-client';
import { createMemoryEngine } from '@spillway/store-engine';
import { createLogger } from '@spillway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoreServer } from './server.ts';
import type { StoreServer } from './server.ts';
import { eventually } from './contract/contract-helpers.ts';

// In-process, so the server's own bookkeeping shows what work it is still doing.
const engine = createMemoryEngine();
let server: StoreServer;
let client: EventStoreDBClient;

beforeAll(async () => {
  server = await startStoreServer({ engine, host: '127.0.0.1', port: 0, logger: createLogger({ service: 'store-grpc-test', level: 'warn' }) });
  client = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${server.port}?tls=false`);
});

afterAll(async () => {
  await client.dispose();
  await server.stop();
  await engine.close();
});

describe('subscription lifecycle on the server', () => {
  it('stops the server-side work of a subscription when the client unsubscribes', async () => {
    await client.appendToStream('lifecycle-a', jsonEvent({ type: 'T', data: {} }));
    const toStream = client.subscribeToStream('lifecycle-a', { fromRevision: START });
    const toAll = client.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes: ['lifecycle-'] }) });
    let caughtUp = 0;
    toStream.on('caughtUp', () => (caughtUp += 1));
    toAll.on('caughtUp', () => (caughtUp += 1));
    toStream.on('data', () => undefined);
    toAll.on('data', () => undefined);
    await eventually(() => caughtUp === 2);
    expect(server.activeSubscriptions()).toBe(2);

    await toStream.unsubscribe();
    await eventually(() => server.activeSubscriptions() === 1);
    await toAll.unsubscribe();
    await eventually(() => server.activeSubscriptions() === 0);

    // Later commits wake nobody and the store keeps serving.
    await client.appendToStream('lifecycle-a', jsonEvent({ type: 'T', data: {} }));
    expect(server.activeSubscriptions()).toBe(0);
  });

  it('ends a subscription whose client stops reading without holding up others', async () => {
    const slow = client.subscribeToStream('lifecycle-slow', { fromRevision: START }, { highWaterMark: 1 });
    await client.appendToStream('lifecycle-slow', Array.from({ length: 2000 }, (_, n) => jsonEvent({ type: 'T', data: { n, pad: 'p'.repeat(500) } })));
    await eventually(() => server.activeSubscriptions() === 1);

    const fast = client.subscribeToStream('lifecycle-slow', { fromRevision: START });
    let fastSeen = 0;
    fast.on('data', () => (fastSeen += 1));
    await eventually(() => fastSeen === 2000);

    await slow.unsubscribe();
    await fast.unsubscribe();
    await eventually(() => server.activeSubscriptions() === 0);
  });

  it('ends subscriptions with UNAVAILABLE when the server stops', async () => {
    const local = createMemoryEngine();
    const stopping = await startStoreServer({ engine: local, host: '127.0.0.1', port: 0, logger: createLogger({ service: 'store-grpc-test', level: 'error' }) });
    const localClient = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${stopping.port}?tls=false`);
    const subscription = localClient.subscribeToAll({ fromPosition: START });
    const errors: unknown[] = [];
    subscription.on('error', (error) => errors.push(error));
    subscription.on('data', () => undefined);
    await eventually(() => stopping.activeSubscriptions() === 1);

    await stopping.stop();
    await eventually(() => errors.length === 1);
    expect((errors[0] as { type?: string }).type).toBe('unavailable');
    expect(stopping.activeSubscriptions()).toBe(0);
    await localClient.dispose();
    await local.close();
  });
});
