import { randomUUID } from 'node:crypto';
import type { EventStore, UncheckedEvent } from '@spillway/event-streams';
import { deliveriesStreamName } from '@spillway/pipeline-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, connectForTest, uniqueId } from '../test-setup/store-fixtures.ts';
import { createDeliveryLag } from './delivery-lag.ts';

const appendedAtMs = Date.parse('2026-11-22T10:00:00.000Z');
const at = (offsetMs: number) => new Date(appendedAtMs + offsetMs).toISOString();
const base = (dataflowId: string, exportId: string) => ({ exportId, sequence: 1, dataflowId, destinationId: 'dest', profileId: 'p1', attempts: 1, ingestedAt: at(-60_000) });
const delivered = (dataflowId: string, exportId: string, offsetMs: number): UncheckedEvent => ({
  type: 'ExportDelivered',
  data: { ...base(dataflowId, exportId), status: 200, durationMs: 3, deliveredAt: at(offsetMs) },
});
const failedAttempt = (dataflowId: string, exportId: string): UncheckedEvent => ({
  type: 'ExportAttemptFailed',
  data: { exportId, sequence: 1, dataflowId, destinationId: 'dest', profileId: 'p1', attempt: 1, startedAt: at(0), durationMs: 1, status: 500, reason: 'HTTP 500', nextAttemptAt: at(1_000) },
});

describe('how long the agent kept the backfill lane waiting, read from the delivery outcomes', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await connectForTest(captureLogger().logger);
  });
  afterAll(() => store.close());

  it('given our export delivered 1.5 s after its append, then the probe says it waited 1.5 s', async () => {
    const dataflowId = uniqueId('df');
    const [older, newest] = [randomUUID(), randomUUID()];
    const lag = createDeliveryLag(store);
    lag.appended(older, appendedAtMs - 100);
    lag.appended(newest, appendedAtMs);
    await store.appendUncheckedEvents(deliveriesStreamName(dataflowId), [delivered(dataflowId, older, 50), delivered(dataflowId, newest, 1_500)]);
    expect(await lag.probe(dataflowId)).toEqual({ appendedAtMs, waitedMs: 1_500 });
  });

  it('given newer outcomes of exports that are not ours (live ones, failed attempts), then the newest of ours is used', async () => {
    const dataflowId = uniqueId('df');
    const ours = randomUUID();
    const lag = createDeliveryLag(store);
    lag.appended(ours, appendedAtMs);
    await store.appendUncheckedEvents(deliveriesStreamName(dataflowId), [delivered(dataflowId, ours, 300), delivered(dataflowId, randomUUID(), 900), failedAttempt(dataflowId, randomUUID())]);
    expect(await lag.probe(dataflowId)).toEqual({ appendedAtMs, waitedMs: 300 });
  });

  it('given no outcome of ours, or no outcome at all, then the probe says nothing', async () => {
    const dataflowId = uniqueId('df');
    const lag = createDeliveryLag(store);
    expect(await lag.probe(dataflowId)).toBeUndefined();
    await store.appendUncheckedEvents(deliveriesStreamName(dataflowId), [delivered(dataflowId, randomUUID(), 10)]);
    expect(await lag.probe(dataflowId)).toBeUndefined();
  });

  it('given more exports than it tracks, then the oldest are forgotten', async () => {
    const dataflowId = uniqueId('df');
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    const lag = createDeliveryLag(store, 2);
    lag.appended(first, appendedAtMs);
    lag.appended(second, appendedAtMs);
    lag.appended(third, appendedAtMs);
    await store.appendUncheckedEvents(deliveriesStreamName(dataflowId), [delivered(dataflowId, first, 10)]);
    expect(await lag.probe(dataflowId)).toBeUndefined();
    await store.appendUncheckedEvents(deliveriesStreamName(dataflowId), [delivered(dataflowId, third, 20)]);
    expect(await lag.probe(dataflowId)).toEqual({ appendedAtMs, waitedMs: 20 });
  });
});
