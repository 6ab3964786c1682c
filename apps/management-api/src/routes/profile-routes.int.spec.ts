import { randomUUID } from 'node:crypto';
import { defineEvents } from '@spillway/event-streams';
import { backfillEventSchemas, backfillStreamName, deliveriesStreamName, exportsStreamName, internalEventSchemas, profileStreamName } from '@spillway/pipeline-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileEvents } from '../store/catalogs.ts';
import { dataflowBody, destinationBody, startApiForTest, uniqueId, type ApiHarness } from '../testing/api-harness.ts';

let api: ApiHarness;
let key: string;
beforeAll(async () => {
  api = await startApiForTest();
  key = await api.allPermissionsKey();
});
afterAll(() => api.close());

const pipelineEvents = defineEvents(internalEventSchemas);
const ingestedAt = '2024-05-01T10:00:00.000Z';

function profileChanged(profileId: string, firstName: string) {
  return {
    type: 'ProfileChanged' as const,
    data: {
      profileId,
      state: { profileId, attributes: { person: { name: { firstName } } }, identityMap: { email: [{ id: `${profileId}@example.com` }] }, segmentMembership: { ups: {} } },
      change: { profileId, attributesWritten: ['person.name.firstName'], identitiesAdded: [], identitiesRemoved: [], membershipsChanged: [] },
      source: { streamId: `ingest-${profileId}`, revision: 0, eventId: randomUUID(), eventType: 'ProfileAttributesWritten' },
      ingestedAt,
    },
  };
}

function exportOf(dataflowId: string, destinationId: string, profileId: string, sequence: number) {
  const base = { exportId: randomUUID(), sequence, dataflowId, destinationId, profileId };
  return {
    exportId: base.exportId,
    requested: { type: 'ExportRequested' as const, data: { ...base, triggers: ['membership' as const], lane: 'live' as const, document: {}, ingestedAt, decidedAt: ingestedAt } },
    delivered: { type: 'ExportDelivered' as const, data: { ...base, attempts: 1, ingestedAt, status: 200, durationMs: 5, deliveredAt: '2024-05-01T10:00:00.250Z' } },
    failed: { type: 'ExportFailed' as const, data: { ...base, attempts: 3, ingestedAt, status: 503, reason: 'the endpoint answered 503', failedAt: ingestedAt } },
  };
}

describe('profiles, exports, audiences and status', () => {
  it("answers a profile's latest state with its sequence, and 404 for an unknown one", async () => {
    const profile = uniqueId('profile');
    await api.store.appendEvents(profileStreamName(profile), profileEvents, [profileChanged(profile, 'Ada'), profileChanged(profile, 'Grace')]);
    const answer = await api.call('GET', `/profiles/${profile}`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ profileId: profile, sequence: 1, ingestedAt, state: { attributes: { person: { name: { firstName: 'Grace' } } } } });
    expect((await api.call('GET', `/profiles/${uniqueId('nobody')}`, { key })).status).toBe(404);
  });

  it("lists a profile's exports through a dataflow with their outcome, and the dataflow's status counts them", async () => {
    const [destination, dataflow, audience, profile, other] = [uniqueId('dest'), uniqueId('flow'), uniqueId('aud'), uniqueId('profile'), uniqueId('profile')];
    await api.defineAudience(audience);
    await api.call('PUT', `/destinations/${destination}`, { key, body: destinationBody() });
    await api.call('PUT', `/dataflows/${dataflow}`, { key, body: dataflowBody(destination, [audience]) });
    const [first, second, third, othersExport] = [0, 1, 2, 0].map((sequence, index) => exportOf(dataflow, destination, index === 3 ? other : profile, sequence));
    await api.store.appendEvents(exportsStreamName(dataflow), pipelineEvents, [first!.requested, second!.requested, third!.requested, othersExport!.requested]);
    await api.store.appendEvents(deliveriesStreamName(dataflow), pipelineEvents, [first!.delivered, second!.failed, othersExport!.delivered]);

    const answer = await api.call('GET', `/profiles/${profile}/exports?dataflowId=${dataflow}`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body.exports.map((item: { exportId: string; outcome: string }) => [item.exportId, item.outcome])).toEqual([
      [first!.exportId, 'delivered'],
      [second!.exportId, 'failed'],
      [third!.exportId, 'pending'],
    ]);
    expect(answer.body.exports[1]).toMatchObject({ status: 503, reason: 'the endpoint answered 503', attempts: 3 });

    const status = await api.call('GET', `/dataflows/${dataflow}/status`, { key });
    expect(status.body.counts).toMatchObject({ exported: 4, delivered: 2, failed: 1, latencyMs: { p50: 250, p95: 250 } });

    // A backfill's progress, as the decider records it in backfill-<dataflowId>.
    const base = { backfillId: randomUUID(), dataflowId: dataflow, partition: '0/1' };
    await api.store.appendEvents(backfillStreamName(dataflow), defineEvents(backfillEventSchemas), [
      { type: 'BackfillStarted', data: { ...base, audienceIds: [audience], configStream: `dataflow-${dataflow}`, configEventId: randomUUID(), upToPosition: '100/100', startedAt: ingestedAt } },
      { type: 'BackfillProgress', data: { ...base, scanned: 40, exported: 12, position: '50/50', ratePerSecond: 20, at: ingestedAt } },
    ]);
    const withBackfill = await api.call('GET', `/dataflows/${dataflow}/status`, { key });
    expect(withBackfill.body.backfills).toEqual([expect.objectContaining({ backfillId: base.backfillId, state: 'running', scanned: 40, exported: 12, ratePerSecond: 20 })]);
  });

  it('asks for the dataflowId of a profile export lookup (the scan is per dataflow)', async () => {
    const answer = await api.call('GET', `/profiles/${uniqueId('profile')}/exports`, { key });
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toEqual([{ field: 'query.dataflowId', reason: expect.any(String) }]);
    const empty = await api.call('GET', `/profiles/${uniqueId('profile')}/exports?dataflowId=${uniqueId('flow')}`, { key });
    expect(empty.body.exports).toEqual([]);
  });

  it('lists the defined audiences', async () => {
    const audience = uniqueId('aud');
    await api.defineAudience(audience);
    const answer = await api.call('GET', '/audiences', { key });
    expect(answer.body.audiences).toContainEqual(expect.objectContaining({ audienceId: audience, origin: 'segmentation' }));
  });
});
