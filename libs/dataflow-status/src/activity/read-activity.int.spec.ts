import { randomUUID } from 'node:crypto';
import { connectEventStore, defineEvents, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { createLogger } from '@spillway/runtime';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readDataflowActivity } from './read-activity.ts';

const pipelineEvents = defineEvents(internalEventSchemas);
let store: EventStore;
beforeAll(async () => {
  store = await connectEventStore(inject('eventstoreConnectionString'), { logger: createLogger({ service: 'test', level: 'error' }), connectTimeoutMs: 10_000 });
});
afterAll(() => store.close());

const delivered = (dataflowId: string, at: string) => {
  const base = { exportId: randomUUID(), sequence: 1, dataflowId, destinationId: 'dest', profileId: 'p1' };
  return { type: 'ExportDelivered' as const, data: { ...base, attempts: 1, status: 200, durationMs: 1, ingestedAt: at, deliveredAt: at } };
};

const deadLettered = (dataflowId: string, at: string) => {
  const exportId = randomUUID();
  const base = { exportId, sequence: 1, dataflowId, destinationId: 'dest', profileId: 'p1' };
  const exported = { ...base, triggers: ['attribute' as const], lane: 'live' as const, document: {}, ingestedAt: at, decidedAt: at };
  return { type: 'ExportDeadLettered' as const, data: { ...base, export: exported, attempts: [], status: 503, reason: 'gave up', deadLetteredAt: at } };
};
const replayMark = (dataflowId: string, at: string) => ({ type: 'DeadLetterReplayed' as const, data: { exportId: randomUUID(), dataflowId, replayId: randomUUID(), replayedAt: at } });

describe('reading a dataflow activity', () => {
  it('given more events than one backwards page, when the window covers them, then every one is counted', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    const at = new Date().toISOString();
    for (let batch = 0; batch < 3; batch++) {
      await store.appendEvents(deliveriesStreamName(dataflowId), pipelineEvents, Array.from({ length: 400 }, () => delivered(dataflowId, at)));
    }
    const activity = await readDataflowActivity(store, dataflowId, { endMs: Date.now() });
    expect(activity.totals.delivered).toBe(1200);
  });

  it('given events recorded before the window started, when read, then the read stops there and counts none of them', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    // Dated inside a window that starts after they were recorded: only the stop on the recording time leaves them out.
    const later = Date.now() + 2 * 3_600_000;
    await store.appendEvents(deliveriesStreamName(dataflowId), pipelineEvents, [delivered(dataflowId, new Date(later - 60_000).toISOString())]);
    expect((await readDataflowActivity(store, dataflowId, { endMs: later })).totals.delivered).toBe(0);
    expect((await readDataflowActivity(store, `${dataflowId}-none`, { endMs: later })).totals.delivered).toBe(0);
  });

  it('given dead letters followed by more replay marks than one backwards page, when read, then the dead letters behind the marks are counted', async () => {
    const dataflowId = `flow-${randomUUID().slice(0, 8)}`;
    const at = new Date().toISOString();
    await store.appendEvents(deadlettersStreamName(dataflowId), pipelineEvents, Array.from({ length: 3 }, () => deadLettered(dataflowId, at)));
    await store.appendEvents(deadlettersStreamName(dataflowId), pipelineEvents, Array.from({ length: 600 }, () => replayMark(dataflowId, at)));
    const activity = await readDataflowActivity(store, dataflowId, { endMs: Date.now() });
    expect(activity.totals.deadLettered).toBe(3);
  });
});
