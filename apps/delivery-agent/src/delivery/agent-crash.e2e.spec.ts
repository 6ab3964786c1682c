import { connectEventStore, defineEvents, deterministicEventId, type EventStore } from '@spillway/event-streams';
import { deliveriesStreamName, exportsStreamName } from '@spillway/pipeline-events';
import { createLogger } from '@spillway/runtime';
import { startHttpReceiver, startService, startStoreProcess, type HttpReceiver, type StoreProcess } from '@spillway/testing';
import { dataflowConfiguredSchema, dataflowStreamName, destinationStreamName } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInputEvents } from './agent-input-events.ts';
import { agentOutputEvents } from './outcome-events.ts';

// The agent as a real process on a store of its own, killed with SIGKILL while an export waits for its retry.
let store: StoreProcess;
let client: EventStore;
let endpoint: HttpReceiver;
beforeAll(async () => {
  store = await startStoreProcess({ inMemory: true });
  client = await connectEventStore(store.connectionString, { logger: createLogger({ service: 'crash-test', level: 'error' }), connectTimeoutMs: 10_000 });
  let answered = 0;
  endpoint = await startHttpReceiver({ respond: () => (answered++ === 0 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 }) });
});
afterAll(async () => {
  await client?.close();
  await endpoint?.close();
  await store?.stop();
});

const deliveryEvents = async (dataflowId: string) => (await client.readStreamEvents(deliveriesStreamName(dataflowId), agentOutputEvents)).map((stored) => stored.event);

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await read();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('delivery agent killed between attempts', () => {
  it('resumes the retry after a restart: the second attempt at the planned time, the same export id, exactly one outcome', async () => {
    const [destinationId, dataflowId] = ['crash-dest', 'crash-flow'];
    await client.appendEvents(destinationStreamName(destinationId), agentInputEvents, [
      {
        type: 'DestinationConfigured',
        data: { destinationId, name: 'crash', endpoint: endpoint.url, auth: { type: 'none' }, includeSegmentNames: false, includeSegmentTimestamps: false },
      },
    ]);
    await client.appendEvents(dataflowStreamName(dataflowId), defineEvents({ DataflowConfigured: dataflowConfiguredSchema }), [
      { type: 'DataflowConfigured', data: { dataflowId, destinationId, audiences: [], attributes: [], enabled: true } },
    ]);
    const exportId = deterministicEventId('export', dataflowId, 'p-1', 3);
    const now = new Date().toISOString();
    await client.appendEvents(exportsStreamName(dataflowId), agentInputEvents, [
      {
        type: 'ExportRequested',
        id: exportId,
        data: { exportId, sequence: 3, dataflowId, destinationId, profileId: 'p-1', triggers: ['attribute'], lane: 'live', document: { n: 1 }, ingestedAt: now, decidedAt: now },
      },
    ]);
    const env = { EVENTSTORE_CONNECTION_STRING: store.connectionString, SPILLWAY_AGENT_HTTP_PORT: 'off' };

    const first = await startService('delivery-agent', env);
    const planned = await until(async () => (await deliveryEvents(dataflowId)).find((event) => event.type === 'ExportAttemptFailed'), 'the failed attempt');
    expect((await first.kill()).signal).toBe('SIGKILL');
    expect(endpoint.requests).toHaveLength(1);

    const second = await startService('delivery-agent', env);
    try {
      const outcome = await until(async () => (await deliveryEvents(dataflowId)).find((event) => event.type === 'ExportDelivered'), 'the delivery');
      expect(outcome.data).toMatchObject({ exportId, attempts: 2, status: 200 });
      expect(planned.data).toMatchObject({ attempt: 1, status: 503 });
      if (planned.type !== 'ExportAttemptFailed') throw new Error('expected the failed attempt');
      expect(endpoint.requests).toHaveLength(2);
      expect(endpoint.requests.map((request) => request.headers['x-export-id'])).toEqual([exportId, exportId]);
      expect(endpoint.requests[1]!.receivedAt).toBeGreaterThanOrEqual(Date.parse(planned.data.nextAttemptAt) - 5);
      expect((await deliveryEvents(dataflowId)).map((event) => event.type)).toEqual(['ExportAttemptFailed', 'ExportDelivered']);
    } finally {
      await second.stop();
    }
  });
});
