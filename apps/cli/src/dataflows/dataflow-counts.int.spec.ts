import { randomUUID } from 'node:crypto';
import { defineEvents, type EventStore } from '@spillway/event-streams';
import { deliveriesStreamName, exportsStreamName, internalEventSchemas, profileStreamName } from '@spillway/pipeline-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

const pipelineEvents = defineEvents(internalEventSchemas);
let store: EventStore;
beforeAll(async () => {
  store = await connectForTest();
});
afterAll(async () => {
  await store.close();
});

async function applyDataflow(ids: { destination: string; dataflow: string; audience: string }, enabled: boolean): Promise<void> {
  const file = await writeTempFile(
    'spillway.yaml',
    `destinations:
  - { id: ${ids.destination}, name: Receiver, endpoint: "http://127.0.0.1:9/exports" }
dataflows:
  - { id: ${ids.dataflow}, destination: ${ids.destination}, enabled: ${enabled}, audiences: [${ids.audience}], attributes: [person.name.firstName] }
`,
  );
  expect((await runCli(['apply', file])).exitCode).toBe(0);
}

// What the projector writes; the counts only count these, they do not read them.
const profileChanged = (profileId: string) => store.appendUncheckedEvents(profileStreamName(profileId), [{ type: 'ProfileChanged', data: { profileId } }]);

const ingestedAt = '2024-05-01T10:00:00.000Z';
function exportRequested(dataflowId: string, destinationId: string, profileId: string) {
  const base = { exportId: randomUUID(), sequence: 0, dataflowId, destinationId, profileId };
  return {
    request: { type: 'ExportRequested' as const, data: { ...base, triggers: ['membership' as const], lane: 'live' as const, document: {}, ingestedAt, decidedAt: ingestedAt } },
    delivered: (latencyMs: number) => ({
      type: 'ExportDelivered' as const,
      data: { ...base, attempts: 1, ingestedAt, status: 200, durationMs: 5, deliveredAt: new Date(Date.parse(ingestedAt) + latencyMs).toISOString() },
    }),
    failed: { type: 'ExportFailed' as const, data: { ...base, attempts: 3, ingestedAt, status: 503, reason: 'the endpoint answered 503', failedAt: ingestedAt } },
  };
}

describe('spillway dataflows show: counts', () => {
  it('given changes while enabled and disabled, requests and outcomes (and a dataflow whose id extends this one), when shown, then only this dataflow is counted', async () => {
    const ids = { destination: uniqueId('dest'), dataflow: uniqueId('flow'), audience: uniqueId('aud') };
    const other = `${ids.dataflow}x`;
    await applyDataflow(ids, true);
    await profileChanged(uniqueId('p'));
    await profileChanged(uniqueId('p'));
    await applyDataflow(ids, false);
    await profileChanged(uniqueId('p'));
    await applyDataflow(ids, true);
    await profileChanged(uniqueId('p'));

    const exports = [1, 2, 3].map((n) => exportRequested(ids.dataflow, ids.destination, `p${n}`));
    const elsewhere = exportRequested(other, ids.destination, 'p1');
    await store.appendEvents(exportsStreamName(ids.dataflow), pipelineEvents, exports.map((e) => e.request));
    await store.appendEvents(exportsStreamName(other), pipelineEvents, [elsewhere.request]);
    await store.appendEvents(deliveriesStreamName(ids.dataflow), pipelineEvents, [exports[0]!.delivered(100), exports[1]!.delivered(300), exports[2]!.failed]);
    await store.appendEvents(deliveriesStreamName(other), pipelineEvents, [elsewhere.delivered(9_000)]);

    const run = await runCli(['dataflows', 'show', ids.dataflow]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('counts: received 3, exported 3, delivered 2, failed 1, superseded 0, dead-lettered 0, latency p50 100 ms, p95 300 ms');
    const json = JSON.parse((await runCli(['dataflows', 'show', ids.dataflow, '--json'])).stdout) as Record<string, unknown>;
    expect(json['counts']).toEqual({ received: 3, exported: 3, delivered: 2, failed: 1, superseded: 0, deadLettered: 0, latencyMs: { p50: 100, p95: 300 } });
    expect(json).not.toHaveProperty('countsNote');
  });
});
