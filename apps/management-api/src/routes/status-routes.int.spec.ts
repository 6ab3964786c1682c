import { randomUUID } from 'node:crypto';
import { defineEvents } from '@spillway/event-streams';
import { alertEventSchemas, alertStreamName, circuitEventSchemas, circuitStreamName, deliveriesStreamName, exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayEvents } from '../store/catalogs.ts';
import { dataflowBody, destinationBody, startApiForTest, uniqueId, type ApiHarness } from '../testing/api-harness.ts';
import { appendDeadLetters, deadLetterOf } from '../testing/dead-letter-fixture.ts';

const pipelineEvents = defineEvents(internalEventSchemas);
const healthEvents = defineEvents({ ...circuitEventSchemas, ...alertEventSchemas });

let api: ApiHarness;
let admin: string;
let audience: string;
beforeAll(async () => {
  api = await startApiForTest();
  admin = await api.allPermissionsKey();
  audience = uniqueId('aud');
  await api.defineAudience(audience);
});
afterAll(() => api.close());

async function configuredDataflow() {
  const destination = uniqueId('dest');
  const dataflow = uniqueId('flow');
  expect((await api.call('PUT', `/destinations/${destination}`, { key: admin, body: destinationBody() })).status).toBe(201);
  expect((await api.call('PUT', `/dataflows/${dataflow}`, { key: admin, body: dataflowBody(destination, [audience]) })).status).toBe(201);
  return { destination, dataflow };
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('GET /dataflows/{id}/activity', () => {
  it('given outcomes over the last hour and before it, then the buckets and totals count only the last hour', async () => {
    const { destination, dataflow } = await configuredDataflow();
    const outcome = (profileId: string) => ({ exportId: randomUUID(), sequence: 1, dataflowId: dataflow, destinationId: destination, profileId });
    const delivered = (at: string, latencyMs: number) => ({
      type: 'ExportDelivered' as const,
      data: { ...outcome('p1'), attempts: 1, status: 200, durationMs: 4, ingestedAt: new Date(Date.parse(at) - latencyMs).toISOString(), deliveredAt: at },
    });
    // Recorded now, but it happened two hours ago: outside the window all the same.
    await api.store.appendEvents(deliveriesStreamName(dataflow), pipelineEvents, [
      delivered(minutesAgo(120), 50),
      delivered(minutesAgo(5), 100),
      delivered(minutesAgo(5), 300),
      { type: 'ExportAttemptFailed', data: { ...outcome('p2'), attempt: 1, startedAt: minutesAgo(3), durationMs: 2, status: 503, reason: 'answered 503', nextAttemptAt: minutesAgo(3) } },
      { type: 'ExportFailed', data: { ...outcome('p2'), attempts: 2, ingestedAt: minutesAgo(3), errorCode: 'ECONNREFUSED', reason: 'refused', failedAt: minutesAgo(2) } },
      { type: 'ExportSuperseded', data: { ...outcome('p3'), attempts: 0, ingestedAt: minutesAgo(1), supersededBy: randomUUID(), supersededBySequence: 2, supersededAt: minutesAgo(1) } },
    ]);
    await appendDeadLetters(api.store, deadLetterOf(dataflow, 'p2', 1, { errorCode: 'ECONNREFUSED' }, minutesAgo(2)));

    const answer = await api.call('GET', `/dataflows/${dataflow}/activity`, { key: admin });
    expect(answer.status).toBe(200);
    expect(answer.body.buckets).toHaveLength(60);
    expect(answer.body.bucketMs).toBe(60_000);
    expect(answer.body.totals).toEqual({ delivered: 2, failed: 1, retried: 1, superseded: 1, deadLettered: 1, failedRequests: { '503': 1, ECONNREFUSED: 1 }, latencyMs: { p50: 100, p95: 300 } });
    const busy = answer.body.buckets.filter((bucket: { delivered: number }) => bucket.delivered > 0);
    expect(busy).toHaveLength(1);
    expect(busy[0]).toMatchObject({ delivered: 2, latencyMs: { p50: 100, p95: 300 } });

    const coarse = await api.call('GET', `/dataflows/${dataflow}/activity?minutes=180&bucketMinutes=30`, { key: admin });
    expect(coarse.body.buckets).toHaveLength(6);
    expect(coarse.body.totals.delivered).toBe(3);
  });

  it('answers 400 naming the query field, and 404 for a dataflow that does not exist', async () => {
    const { dataflow } = await configuredDataflow();
    const bad = await api.call('GET', `/dataflows/${dataflow}/activity?minutes=lots`, { key: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('query.minutes');
    const unknownParameter = await api.call('GET', `/dataflows/${dataflow}/activity?window=1h`, { key: admin });
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.body.error.message).toContain('window');
    expect((await api.call('GET', `/dataflows/${uniqueId('nowhere')}/activity`, { key: admin })).status).toBe(404);
  });
});

describe('GET /dataflows/{id}/health', () => {
  it("given the destination's circuit opened and two alerts of which one resolved, then it shows the circuit open and one open alert", async () => {
    const { destination, dataflow } = await configuredDataflow();
    const closed = await api.call('GET', `/dataflows/${dataflow}/health`, { key: admin });
    expect(closed.body).toEqual({ dataflowId: dataflow, destinationId: destination, enabled: true, circuit: { state: 'closed' }, openAlerts: [], backfills: [] });

    const [first, second] = [randomUUID(), randomUUID()];
    const raised = (alertId: string, rule: 'failure-rate' | 'dead-lettered') => ({
      type: 'AlertRaised' as const,
      data: { alertId, dataflowId: dataflow, rule, summary: `${rule} over its threshold`, observed: 0.5, threshold: 0.1, raisedAt: minutesAgo(10) },
    });
    await api.store.appendEvents(alertStreamName(dataflow), healthEvents, [
      raised(first, 'failure-rate'),
      raised(second, 'dead-lettered'),
      { type: 'AlertResolved', data: { alertId: first, dataflowId: dataflow, rule: 'failure-rate', summary: 'back under', raisedAt: minutesAgo(10), resolvedAt: minutesAgo(1) } },
    ]);
    await api.store.appendEvents(circuitStreamName(destination), healthEvents, [
      { type: 'CircuitOpened', data: { destinationId: destination, failingSince: minutesAgo(4), failures: 9, lastError: 'connection refused (ECONNREFUSED)', openedAt: minutesAgo(3) } },
    ]);
    const open = await api.call('GET', `/dataflows/${dataflow}/health`, { key: admin });
    expect(open.body.circuit).toMatchObject({ state: 'open', failures: 9, lastError: 'connection refused (ECONNREFUSED)' });
    expect(open.body.openAlerts.map((alert: { alertId: string }) => alert.alertId)).toEqual([second]);
  });
});

describe('dead letters', () => {
  it('lists them without documents, replays one and then a selection, marks them replayed, and refuses a second replay with 409', async () => {
    const { dataflow } = await configuredDataflow();
    const letters = [
      deadLetterOf(dataflow, 'p-1', 1, { status: 503 }, minutesAgo(30)),
      deadLetterOf(dataflow, 'p-2', 4, { status: 400 }, minutesAgo(20)),
      deadLetterOf(dataflow, 'p-3', 2, { errorCode: 'ECONNREFUSED' }, minutesAgo(10)),
    ];
    await appendDeadLetters(api.store, ...letters);
    const listed = await api.call('GET', `/dataflows/${dataflow}/deadletters`, { key: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.deadLetters.map((letter: { exportId: string }) => letter.exportId)).toEqual(letters.map((letter) => letter.exportId));
    expect(listed.body.deadLetters[0]).not.toHaveProperty('export');
    expect(listed.body.deadLetters[0]).not.toHaveProperty('replayed');
    const filtered = await api.call('GET', `/dataflows/${dataflow}/deadletters?status=5xx`, { key: admin });
    expect(filtered.body.deadLetters.map((letter: { profileId: string }) => letter.profileId)).toEqual(['p-1']);
    const badFilter = await api.call('GET', `/dataflows/${dataflow}/deadletters?status=server-error`, { key: admin });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.issues[0].field).toBe('query.status');

    const one = await api.call('POST', `/dataflows/${dataflow}/deadletters/${letters[0]!.exportId}/replay`, { key: admin });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ replayed: 1, replays: [{ exportId: letters[0]!.exportId, dataflowId: dataflow, sequence: 1 }] });
    const again = await api.call('POST', `/dataflows/${dataflow}/deadletters/${letters[0]!.exportId}/replay`, { key: admin });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('replayed already');
    const notALetter = await api.call('POST', `/dataflows/${dataflow}/deadletters/${randomUUID()}/replay`, { key: admin });
    expect(notALetter.status).toBe(404);
    const notAnId = await api.call('POST', `/dataflows/${dataflow}/deadletters/abc/replay`, { key: admin });
    expect(notAnId.status).toBe(400);
    expect(notAnId.body.error.issues[0].field).toBe('exportId');

    const empty = await api.call('POST', `/dataflows/${dataflow}/deadletters/replay`, { key: admin, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues[0].field).toBe('exportIds');
    const selection = await api.call('POST', `/dataflows/${dataflow}/deadletters/replay`, { key: admin, body: { exportIds: letters.map((letter) => letter.exportId) } });
    expect(selection.body).toMatchObject({ replayed: 2, alreadyReplayed: [letters[0]!.exportId] });

    const replays = await api.store.readStreamEvents(exportsStreamName(dataflow), replayEvents);
    expect(replays.map(({ event }) => event.data.exportId)).toEqual(letters.map((letter) => letter.exportId));
    expect(replays[0]!.event.data).toMatchObject({ ...letters[0]!.export, replayId: one.body.replays[0].replayId });
    const after = await api.call('GET', `/dataflows/${dataflow}/deadletters`, { key: admin });
    expect(after.body.deadLetters.map((letter: { replayed?: { replayId: string } }) => letter.replayed?.replayId)).toEqual(replays.map(({ event }) => event.data.replayId));
  });

  it('a key without Manage Destinations may list but not replay: 403 naming the permission, nothing written', async () => {
    const { dataflow } = await configuredDataflow();
    const letter = deadLetterOf(dataflow, 'p-1', 1, { status: 500 }, minutesAgo(1));
    await appendDeadLetters(api.store, letter);
    const viewer = await api.keyWith(['view-destinations']);
    expect((await api.call('GET', `/dataflows/${dataflow}/deadletters`, { key: viewer })).status).toBe(200);
    const refused = await api.call('POST', `/dataflows/${dataflow}/deadletters/${letter.exportId}/replay`, { key: viewer });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('Manage Destinations (manage-destinations)');
    expect(await api.store.readStreamEvents(exportsStreamName(dataflow), replayEvents)).toEqual([]);
  });
});

describe('GET /status', () => {
  it('serves the page without a key, its script and style allowed by hash and nothing else', async () => {
    const response = await fetch(`${api.url}/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const html = await response.text();
    expect(html).toContain('<title>Spillway status</title>');
    expect(html).not.toContain('/*SCRIPT*/');
  });
});
