import { EventStoreDBClient } from '@eventstore/db-client';
import { refusedAddress } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEventStore, type EventStore } from './connection.ts';
import {
  AppendTooLargeError,
  StoreUnavailableError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from './errors.ts';
import { captureLogger, connectForTest, connectionString, orderEvents, placed, uniquePrefix } from './test-setup/fixtures.ts';

describe('client errors become our error types', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await connectForTest(captureLogger().logger);
  });
  afterAll(() => store.close());

  it('wrong expected revision carries the stream, what was expected and the actual revision', async () => {
    const stream = `${uniquePrefix('err')}wev`;
    await store.appendEvents(stream, orderEvents, [placed('a'), placed('b')]);
    const error = await store.appendEvents(stream, orderEvents, [placed('c')], { expectedRevision: 0n }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ type: 'wrong-expected-revision', stream, expected: 0n, actual: 1n });

    const fresh = `${uniquePrefix('err')}wev-missing`;
    const missing = await store.appendEvents(fresh, orderEvents, [placed('d')], { expectedRevision: 'stream_exists' }).catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ type: 'wrong-expected-revision', stream: fresh, expected: 'stream_exists', actual: 'no_stream' });
  });

  it('a missing stream is StreamNotFoundError when asked to throw', async () => {
    const stream = `${uniquePrefix('err')}missing`;
    expect(await store.readStreamEvents(stream, orderEvents)).toEqual([]);
    const error = await store.readStreamEvents(stream, orderEvents, { ifMissing: 'throw' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect(error).toMatchObject({ type: 'stream-not-found', stream });
  });

  it('reads of missing streams, many at once and one after another, leave the connection reading and closable', async () => {
    const own = await connectForTest(captureLogger().logger);
    try {
      const prefix = uniquePrefix('err');
      const missing = Array.from({ length: 40 }, (_, index) => `${prefix}missing-${index}`);
      expect(await Promise.all(missing.map((stream) => own.readStreamEvents(stream, orderEvents, { direction: 'backwards', maxCount: 1 })))).toEqual(missing.map(() => []));
      for (const stream of missing.slice(0, 5)) {
        expect(await own.readStreamEvents(stream, orderEvents)).toEqual([]);
        await expect(own.readStreamEvents(stream, orderEvents, { ifMissing: 'throw' })).rejects.toBeInstanceOf(StreamNotFoundError);
      }
      const present = `${prefix}present`;
      await own.appendEvents(present, orderEvents, [placed('a'), placed('b')]);
      const [latest] = await own.readStreamEvents(present, orderEvents, { direction: 'backwards', maxCount: 1 });
      expect(latest).toMatchObject({ revision: 1n, event: { type: 'OrderPlaced', data: placed('b').data } });
    } finally {
      await own.close();
    }
  });

  it('a tombstoned stream is StreamDeletedError, on write and on read', async () => {
    const stream = `${uniquePrefix('err')}deleted`;
    await store.appendEvents(stream, orderEvents, [placed('a')]);
    const client = EventStoreDBClient.connectionString(connectionString());
    try {
      await client.tombstoneStream(stream);
    } finally {
      await client.dispose();
    }
    const onWrite = await store.appendEvents(stream, orderEvents, [placed('b')]).catch((caught: unknown) => caught);
    expect(onWrite).toBeInstanceOf(StreamDeletedError);
    expect(onWrite).toMatchObject({ type: 'stream-deleted', stream });
    const onRead = await store.readStreamEvents(stream, orderEvents).catch((caught: unknown) => caught);
    expect(onRead).toMatchObject({ type: 'stream-deleted', stream });
  });

  it('an append over the maximum append size is AppendTooLargeError', async () => {
    const stream = `${uniquePrefix('err')}huge`;
    const huge = { type: 'OrderCancelled' as const, data: { orderId: 'a', reason: 'x'.repeat(2 * 1024 * 1024) } };
    const error = await store.appendEvents(stream, orderEvents, [huge]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppendTooLargeError);
    expect(error).toMatchObject({ type: 'append-too-large', stream });
  });

  it('a store that is not there is StoreUnavailableError once the connect timeout passes', async () => {
    const { host, port } = await refusedAddress();
    const attempt = connectEventStore(`esdb://${host}:${port}?tls=false`, {
      logger: captureLogger().logger,
      connectTimeoutMs: 500,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    const error = await attempt.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ type: 'store-unavailable', operation: 'connect' });
  });
});
