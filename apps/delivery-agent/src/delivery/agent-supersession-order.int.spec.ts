import { setTimeout as sleep } from 'node:timers/promises';
import { deterministicEventId, type EventStore } from '@spillway/event-streams';
import { deliveriesStreamName } from '@spillway/pipeline-events';
import type { HttpReceiver } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';
import { agentOutputEvents } from './outcome-events.ts';

let world: AgentWorld;
let endpoint: HttpReceiver | undefined;

const receiver = worldForEachTest((created) => (world = created));

/** The agent's store, with every append to a deliveries- stream taking `delayMs` longer (a busy store), and a hook when one starts. */
function slowOutcomeWrites(store: EventStore, delayMs: number, onOutcomeAppend: (types: readonly string[]) => void): EventStore {
  return {
    ...store,
    appendEvents: async (stream, catalog, events, options) => {
      if (stream.startsWith('deliveries-')) {
        onOutcomeAppend(events.map((event) => String(event.type)));
        await sleep(delayMs);
      }
      return store.appendEvents(stream, catalog, events, options);
    },
  };
}

describe('delivery agent: an export superseded while queued', () => {
  it('has its ExportSuperseded in the store before the newer export of its profile reaches the endpoint (a crash in between would otherwise send the older one after the newer)', async () => {
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    const supersededInStoreWhenNewestArrived: boolean[] = [];
    endpoint = await receiver({
      respond: async (request) => {
        if (request.headers['x-export-sequence'] === '3') {
          const recorded = await world.store.readStreamEvents(deliveriesStreamName(dataflowId), agentOutputEvents);
          supersededInStoreWhenNewestArrived.push(recorded.some(({ event }) => event.type === 'ExportSuperseded' && event.data.sequence === 2));
        }
        return { status: 200, delayMs: request.headers['x-export-sequence'] === '1' ? 300 : 0 };
      },
    });
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    // Sequence 1 is sent, 2 waits behind it; sequence 3 is written just as the outcome of 1 is being
    // recorded, so 2 is superseded while that write is in flight, and 3 is let go right after it.
    let third: Promise<string> | undefined;
    const store = slowOutcomeWrites(world.store, 400, (types) => {
      if (third === undefined && types.includes('ExportDelivered')) third = world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 3 });
    });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    world.startAgent({ store });
    const outcomes = await world.waitForOutcomes(dataflowId, 3, 20_000);

    expect(outcomes.map((outcome) => `${outcome.type} ${outcome.data.sequence}`).sort()).toEqual(['ExportDelivered 1', 'ExportDelivered 3', 'ExportSuperseded 2']);
    expect(endpoint.requests.map((request) => request.headers['x-export-sequence'])).toEqual(['1', '3']);
    expect(supersededInStoreWhenNewestArrived).toEqual([true]);
  });
});

describe('delivery agent: a version exported again under another export id', () => {
  it('delivers a backfill\'s re-export of a delivered version (same sequence, new X-Export-Id), but not an older version after it', async () => {
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    endpoint = await receiver({ respond: async () => ({ status: 200 }) });
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const live = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2, document: { audiences: ['a'] } });
    world.startAgent();
    await world.waitForOutcomes(dataflowId, 1);
    const again = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2, document: { audiences: ['a', 'b'] }, exportId: deterministicEventId('export', dataflowId, 'p-1', 2, 'backfill', 'bf-1'), lane: 'backfill' });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1, exportId: deterministicEventId('export', dataflowId, 'p-1', 1, 'backfill', 'bf-1'), lane: 'backfill' });
    const outcomes = await world.waitForOutcomes(dataflowId, 3);

    // Sequence 1 is superseded by the re-export running ahead of it, so its outcome may be written before the re-export's.
    expect(outcomes.map((outcome) => `${outcome.type} ${outcome.data.sequence}`).sort()).toEqual(['ExportDelivered 2', 'ExportDelivered 2', 'ExportSuperseded 1']);
    expect(endpoint.requests.map((request) => [request.headers['x-export-id'], request.headers['x-export-sequence'], request.body])).toEqual([
      [live, '2', { audiences: ['a'] }],
      [again, '2', { audiences: ['a', 'b'] }],
    ]);
  });
});
