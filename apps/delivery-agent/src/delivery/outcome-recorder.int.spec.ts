import { randomUUID } from 'node:crypto';
import type { EventStore } from '@spillway/event-streams';
import type { ExportRequested } from '@spillway/pipeline-events';
import { createLogger } from '@spillway/runtime';
import { describe, expect, it } from 'vitest';
import { storeForThisFile } from '../test-setup/agent-harness.ts';
import { agentOutputEvents, outcomeEvent } from './outcome-events.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';

const logger = createLogger({ service: 'test', write: () => {} });
let store: EventStore;
storeForThisFile((connected) => (store = connected));

const request = (profileId: string): ExportRequested => ({
  exportId: randomUUID(),
  sequence: 1,
  dataflowId: 'df',
  destinationId: 'dest',
  profileId,
  triggers: ['attribute'],
  lane: 'live',
  document: {},
  ingestedAt: '2026-01-01T00:00:00Z',
  decidedAt: '2026-01-01T00:00:00Z',
});
const delivered = (profileId: string) =>
  outcomeEvent(request(profileId), { kind: 'attempted', delivery: { outcome: { kind: 'delivered', status: 200, durationMs: 1 }, attempts: 1, stoppedBecause: 'delivered' }, timeoutMs: 2_000 }, new Date());

describe('outcome recorder', () => {
  it('writes outcomes that arrive together in fewer appends, each once, in the order recorded', async () => {
    let appends = 0;
    const counting: EventStore = { ...store, appendEvents: (...args) => (appends++, store.appendEvents(...args)) };
    const recorder = createOutcomeRecorder({ store: counting, logger, signal: new AbortController().signal });
    const stream = `deliveries-rec${randomUUID().slice(0, 8)}`;
    const events = Array.from({ length: 50 }, (_, index) => delivered(`p-${index}`));

    await Promise.all(events.map((event) => recorder.record(stream, event)));

    const written = await store.readStreamEvents(stream, agentOutputEvents);
    expect(written.map((stored) => stored.event.data.profileId)).toEqual(events.map((event) => event.data.profileId));
    expect(appends).toBeLessThan(events.length);
    expect(appends).toBeGreaterThanOrEqual(1);
  });

  it('writes nothing new when an outcome already recorded is recorded again', async () => {
    const recorder = createOutcomeRecorder({ store, logger, signal: new AbortController().signal });
    const stream = `deliveries-rec${randomUUID().slice(0, 8)}`;
    const event = delivered('p-1');

    await recorder.record(stream, event);
    await recorder.record(stream, event);

    expect(await store.readStreamEvents(stream, agentOutputEvents)).toHaveLength(1);
  });
});
