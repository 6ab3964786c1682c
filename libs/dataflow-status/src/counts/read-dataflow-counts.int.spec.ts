import { randomUUID } from 'node:crypto';
import { connectEventStore, defineEvents, type EventStore, type UncheckedEvent } from '@spillway/event-streams';
import { countsSnapshotEventSchemas, countsSnapshotStreamName, deadlettersStreamName, deliveriesStreamName, exportsStreamName } from '@spillway/pipeline-events';
import { createLogger } from '@spillway/runtime';
import { dataflowStreamName } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countsSnapshotsKept } from './counts-snapshots.ts';
import { readDataflowCounts, scanDataflowCounts } from './read-dataflow-counts.ts';

let store: EventStore;
beforeAll(async () => {
  store = await connectEventStore(inject('eventstoreConnectionString'), { logger: createLogger({ service: 'test', level: 'error' }), connectTimeoutMs: 10_000 });
});
afterAll(() => store.close());

const configured = (dataflowId: string, enabled: boolean): UncheckedEvent => ({
  type: 'DataflowConfigured',
  data: { dataflowId, destinationId: 'dest', enabled, audiences: [{ audienceId: 'vip' }], attributes: ['person.name.firstName'] },
});
const outcomeBase = (dataflowId: string) => ({ exportId: randomUUID(), sequence: 1, dataflowId, destinationId: 'dest', profileId: 'p1', attempts: 1 });
const delivered = (dataflowId: string, latencyMs: number): UncheckedEvent => ({
  type: 'ExportDelivered',
  data: { ...outcomeBase(dataflowId), status: 200, durationMs: 1, ingestedAt: '2026-01-01T00:00:00.000Z', deliveredAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + latencyMs).toISOString() },
});
const failed = (dataflowId: string): UncheckedEvent => ({
  type: 'ExportFailed',
  data: { ...outcomeBase(dataflowId), status: 500, reason: 'HTTP 500', ingestedAt: '2026-01-01T00:00:00.000Z', failedAt: '2026-01-01T00:00:01.000Z' },
});
const exportRequested = (dataflowId: string): UncheckedEvent => ({
  type: 'ExportRequested',
  data: { exportId: randomUUID(), sequence: 1, dataflowId, destinationId: 'dest', profileId: 'p1', triggers: ['attribute'], lane: 'live', document: {}, ingestedAt: '2026-01-01T00:00:00.000Z', decidedAt: '2026-01-01T00:00:00.000Z' },
});

async function profileChanges(count: number): Promise<void> {
  for (let written = 0; written < count; written += 500) {
    const batch = Math.min(500, count - written);
    await store.appendUncheckedEvents(`profile-${randomUUID()}`, Array.from({ length: batch }, () => ({ type: 'ProfileChanged', data: {} })));
  }
}

async function someTraffic(dataflowId: string, profileChangeCount: number): Promise<void> {
  await profileChanges(profileChangeCount);
  await store.appendUncheckedEvents(exportsStreamName(dataflowId), [exportRequested(dataflowId), exportRequested(dataflowId)]);
  await store.appendUncheckedEvents(deliveriesStreamName(dataflowId), [delivered(dataflowId, 20), delivered(dataflowId, 1_400), failed(dataflowId)]);
  // A dataflow whose id starts with this one's: its streams pass the prefix filter, none of it counts.
  await store.appendUncheckedEvents(deliveriesStreamName(`${dataflowId}x`), [delivered(`${dataflowId}x`, 5)]);
}

const fullScan = async (dataflowId: string) => (await scanDataflowCounts(store, dataflowId, { snapshots: false })).counts;

describe('reading dataflow counts with snapshots', () => {
  it('given a log of many profile changes, when read twice, then the second reading starts at the snapshot and scans no profile change', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 3_000);

    const first = await scanDataflowCounts(store, dataflowId);
    expect(first.from).toBe('start');
    expect(first.scanned.profileChanges).toBeGreaterThanOrEqual(3_000);
    expect(first.snapshotStored).toBe(true);

    const second = await scanDataflowCounts(store, dataflowId);
    expect(second.from).not.toBe('start');
    expect(second.scanned).toMatchObject({ events: 0, profileChanges: 0 });
    expect(second.counts).toEqual(first.counts);
    expect(second.counts).toEqual(await fullScan(dataflowId));
  });

  it('given a snapshot, when more happens (the dataflow disabled, enabled again), then snapshot plus the new events count what a full scan counts', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 1_200);
    expect((await scanDataflowCounts(store, dataflowId)).snapshotStored).toBe(true);

    await someTraffic(dataflowId, 100);
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, false)]);
    await someTraffic(dataflowId, 300);
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 200);
    await store.appendUncheckedEvents(deadlettersStreamName(dataflowId), [{ type: 'ExportDeadLettered', data: { not: 'a dead letter' } }]);

    const next = await scanDataflowCounts(store, dataflowId);
    expect(next.from).not.toBe('start');
    expect(next.scanned.profileChanges).toBe(600);
    const whole = await fullScan(dataflowId);
    expect(next.counts).toEqual(whole);
    expect(whole).toMatchObject({ exported: 8, delivered: 8, failed: 4, deadLettered: 0, latencyMs: { p50: 20, p95: 1_400 } });
  });

  it('given a snapshot, when the log grows only with events the filter leaves out, then a reading stores a snapshot all the same, and the next one starts there', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 1_000);
    const first = await scanDataflowCounts(store, dataflowId);
    expect(first.snapshotStored).toBe(true);
    // 8,000 events the filter leaves out: a checkpoint every 1,024 of them (event-streams' subscriptions.ts)
    for (let batch = 0; batch < 16; batch++) {
      await store.appendUncheckedEvents(`ingest-${randomUUID()}`, Array.from({ length: 500 }, () => ({ type: 'ProfileAttributesWritten', data: {} })));
    }
    const second = await scanDataflowCounts(store, dataflowId);
    expect(second.scanned).toMatchObject({ events: 0, profileChanges: 0 });
    expect(second.scanned.checkpoints).toBeGreaterThanOrEqual(7);
    expect(second.snapshotStored).toBe(true);
    const third = await scanDataflowCounts(store, dataflowId);
    expect(third.from).not.toBe(second.from);
    expect(third.scanned.checkpoints).toBeLessThanOrEqual(1);
    expect(third.counts).toEqual(first.counts);
  });

  it('given a snapshot that does not parse, when read, then it is ignored and the whole log is scanned', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 10);
    await store.appendUncheckedEvents(countsSnapshotStreamName(dataflowId), [
      { type: 'DataflowCountsSnapshotted', data: { version: 0, dataflowId, position: '1/1', enabled: true, counts: { received: 1_000_000 }, latencyBuckets: [] } },
    ]);
    const reading = await scanDataflowCounts(store, dataflowId);
    expect(reading.from).toBe('start');
    expect(reading.counts).toEqual(await fullScan(dataflowId));
  });

  it('given two snapshots written by concurrent readers, when read, then the one with the furthest position is used', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 20);
    const furthest = await scanDataflowCounts(store, dataflowId, { snapshotAfter: 1 });
    expect(furthest.snapshotStored).toBe(true);
    // A slower reader stores an older snapshot after it.
    await store.appendUncheckedEvents(countsSnapshotStreamName(dataflowId), [
      {
        type: 'DataflowCountsSnapshotted',
        data: { version: 1, dataflowId, position: '1/1', enabled: false, counts: { received: 0, exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0 }, latencyBuckets: [] },
      },
    ]);
    const reading = await scanDataflowCounts(store, dataflowId);
    expect(reading.scanned.events).toBe(0);
    expect(reading.counts).toEqual(furthest.counts);
  });

  it(`given many readings, then only the last ${countsSnapshotsKept} snapshots are kept`, async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    for (let reading = 0; reading < countsSnapshotsKept + 2; reading++) {
      await someTraffic(dataflowId, 1);
      expect((await scanDataflowCounts(store, dataflowId, { snapshotAfter: 1 })).snapshotStored).toBe(true);
    }
    const kept = await store.readStreamEvents(countsSnapshotStreamName(dataflowId), defineEvents(countsSnapshotEventSchemas));
    expect(kept).toHaveLength(countsSnapshotsKept);
  });

  it('given a long log and no snapshot, when five readings overlap, then they share one scan: one snapshot stored, the same counts for all', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 2_000);

    const readings = await Promise.all(Array.from({ length: 5 }, () => readDataflowCounts(store, dataflowId)));

    const snapshots = await store.readStreamEvents(countsSnapshotStreamName(dataflowId), defineEvents(countsSnapshotEventSchemas));
    expect(snapshots).toHaveLength(1);
    const whole = await fullScan(dataflowId);
    for (const counts of readings) expect(counts).toEqual(whole);
    expect(whole).toMatchObject({ exported: 2, delivered: 2, failed: 1 });
  });

  it('given a reading that finished, when the log grows and it is read again, then the new reading sees the new events', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    await store.appendUncheckedEvents(dataflowStreamName(dataflowId), [configured(dataflowId, true)]);
    await someTraffic(dataflowId, 10);
    expect(await readDataflowCounts(store, dataflowId)).toMatchObject({ exported: 2, delivered: 2 });
    await someTraffic(dataflowId, 10);
    expect(await readDataflowCounts(store, dataflowId)).toMatchObject({ exported: 4, delivered: 4 });
  });
});
