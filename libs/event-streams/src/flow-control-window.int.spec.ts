import { EventStoreDBClient } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvents } from './catalog.ts';
import { connectEventStore, type EventStore } from './connection.ts';
import { flowControlWindowOption, widenFlowControlWindow } from './flow-control-window.ts';
import { captureLogger, connectionString, uniquePrefix } from './test-setup/fixtures.ts';

const bulkyEvents = defineEvents({ Bulky: z.object({ index: z.number().int(), padding: z.string() }) });
const oneMiB = 1024 * 1024;

describe('a connection that reads ahead (a wider gRPC flow-control window)', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await connectEventStore(connectionString(), { logger: captureLogger().logger, connectTimeoutMs: 10_000, readAheadBytes: oneMiB });
  });
  afterAll(() => store.close());

  it('given 3 MiB of events in the log, a filtered $all subscription over it gets every one, in order', async () => {
    const prefix = uniquePrefix('bulk');
    const padding = 'x'.repeat(8 * 1024);
    for (let batch = 0; batch < 8; batch++) {
      const events = Array.from({ length: 48 }, (_, offset) => ({ type: 'Bulky' as const, data: { index: batch * 48 + offset, padding } }));
      await store.appendEvents(`${prefix}${batch % 3}`, bulkyEvents, events);
    }

    const subscription = store.openAllSubscription({ catalog: bulkyEvents, filter: { streamNamePrefixes: [prefix] } });
    const indexes: number[] = [];
    try {
      for await (const message of subscription.messages) {
        if (message.kind === 'caught-up') break;
        if (message.kind === 'event') indexes.push(message.event.data.index);
      }
    } finally {
      await subscription.close();
    }
    expect(indexes).toEqual(Array.from({ length: 8 * 48 }, (_, index) => index));
  });

  it('gives the window to every channel the client builds, the first and those after a reconnection', async () => {
    const client = EventStoreDBClient.connectionString(connectionString());
    widenFlowControlWindow(client, oneMiB);
    const factory = client as unknown as { createChannel(): Promise<{ close(): void; internalChannel: { options: Record<string, unknown> } }> };
    const first = await factory.createChannel();
    const second = await factory.createChannel();
    try {
      expect(first.internalChannel.options[flowControlWindowOption]).toBe(oneMiB);
      expect(second.internalChannel.options[flowControlWindowOption]).toBe(oneMiB);
      expect(first.internalChannel.options['grpc.max_receive_message_length']).toBe(17 * oneMiB);
    } finally {
      first.close();
      second.close();
      await client.dispose();
    }
  });
});
