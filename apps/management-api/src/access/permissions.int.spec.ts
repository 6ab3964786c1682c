import { alertingEventSchemas, alertingStreamName } from '@spillway/alert-rules';
import { defineEvents } from '@spillway/event-streams';
import { deadlettersStreamName, exportsStreamName, profileStreamName } from '@spillway/pipeline-events';
import { dataflowStreamName, destinationStreamName } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../routes/route-table.ts';
import type { Route } from '../routes/route.ts';
import { dataflowEvents, deadLetterEvents, destinationEvents, profileEvents, replayEvents } from '../store/catalogs.ts';
import { appendDeadLetters, deadLetterOf } from '../testing/dead-letter-fixture.ts';
import { dataflowBody, destinationBody, startApiForTest, uniqueId, type ApiHarness } from '../testing/api-harness.ts';
import { permissionNames, permissions } from './permissions.ts';

let api: ApiHarness;
let admin: string;
let audience: string;
let profile: string;
beforeAll(async () => {
  api = await startApiForTest();
  admin = await api.allPermissionsKey();
  audience = uniqueId('aud');
  await api.defineAudience(audience);
  profile = uniqueId('profile');
  await api.store.appendEvents(profileStreamName(profile), profileEvents, [
    {
      type: 'ProfileChanged',
      data: {
        profileId: profile,
        state: { profileId: profile, attributes: { person: { name: { firstName: 'Ada' } } }, identityMap: {}, segmentMembership: { ups: {} } },
        change: { profileId: profile, attributesWritten: ['person.name.firstName'], identitiesAdded: [], identitiesRemoved: [], membershipsChanged: [] },
        source: { streamId: `ingest-${profile}`, revision: 0, eventId: '00000000-0000-4000-8000-000000000000', eventType: 'ProfileAttributesWritten' },
        ingestedAt: '2024-05-01T10:00:00.000Z',
      },
    },
  ]);
});
afterAll(() => api.close());

interface PreparedRequest {
  readonly path: string;
  readonly body?: unknown;
  /** The streams a permitted call could write to: they must not change on a refusal. */
  readonly watched: readonly string[];
}

/** A request a key holding the permission could make successfully (a write would change the store). */
async function prepare(route: Route): Promise<PreparedRequest> {
  const destination = uniqueId('dest');
  await api.call('PUT', `/destinations/${destination}`, { key: admin, body: destinationBody() });
  const dataflow = uniqueId('flow');
  await api.call('PUT', `/dataflows/${dataflow}`, { key: admin, body: dataflowBody(destination, [audience]) });
  const idFor: Record<string, string> = { destinations: uniqueId('dest'), dataflows: dataflow, profiles: profile };
  const category = route.path.split('/')[1]!;
  // An unused destination, so that even DELETE would succeed with the permission.
  if (category === 'destinations') await api.call('PUT', `/destinations/${idFor['destinations']}`, { key: admin, body: destinationBody() });
  const id = idFor[category];
  const alerts = route.path.startsWith('/dataflows/{id}/alerts');
  if (alerts) await api.call('PUT', `/dataflows/${dataflow}/alerts`, { key: admin, body: alertBody });
  if (route.path.includes('{id}') && id === undefined) throw new Error(`the permission test does not know how to call ${route.method} ${route.path}: extend prepare()`);
  // A dead letter of the dataflow, so that a replay has something to replay.
  const deadLetter = deadLetterOf(dataflow, 'p-1', 3, { status: 503 }, '2026-01-01T10:00:00.000Z');
  await appendDeadLetters(api.store, deadLetter);
  const path = route.path.replace('{id}', id ?? '').replace('{exportId}', deadLetter.exportId) + (route.path === '/profiles/{id}/exports' ? `?dataflowId=${dataflow}` : '');
  const bodies: Record<string, unknown> = {
    'PUT destinations': destinationBody({ name: 'Changed' }),
    'PUT dataflows': dataflowBody(destination, [audience], { enabled: false, consent: true }),
    'POST dataflows': { all: true },
  };
  return {
    path,
    ...(route.method === 'PUT' || route.method === 'POST'
      ? { body: alerts && route.method === 'PUT' ? { ...alertBody, rules: { failureRate: { threshold: 0.3 } } } : bodies[`${route.method} ${category}`] }
      : {}),
    watched: [
      destinationStreamName(destination),
      dataflowStreamName(dataflow),
      alertingStreamName(dataflow),
      deadlettersStreamName(dataflow),
      exportsStreamName(dataflow),
      ...(category === 'destinations' ? [destinationStreamName(idFor['destinations']!)] : []),
    ],
  };
}

const alertBody = { webhook: { url: 'https://ops.example.com/alerts' } };
const configEvents = defineEvents({ ...destinationEvents.schemas, ...dataflowEvents.schemas, ...alertingEventSchemas, ...deadLetterEvents.schemas, ...replayEvents.schemas });
const eventCounts = (streams: readonly string[]) =>
  Promise.all(streams.map(async (stream) => (await api.store.readStreamEvents(stream, configEvents)).length));

const guarded = routes.filter((route) => route.permission !== 'public');

describe('every route checks its permission', () => {
  it('only /health, /openapi.json and the status page are public', () => {
    expect(routes.filter((route) => route.permission === 'public').map((route) => `${route.method} ${route.path}`)).toEqual(['GET /health', 'GET /openapi.json', 'GET /status']);
    expect(guarded.length).toBeGreaterThanOrEqual(12);
  });

  it.each(guarded.map((route) => [`${route.method} ${route.path}`, route] as const))('%s: 403 naming the permission without it, nothing changes; works with only it', async (_name, route) => {
    if (route.permission === 'public') throw new Error('unreachable');
    const request = await prepare(route);
    const before = await eventCounts(request.watched);
    const lacking = await api.keyWith(permissions.filter((permission) => permission !== route.permission));
    const refused = await api.call(route.method, request.path, { key: lacking, body: request.body });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(permissionNames[route.permission]);
    expect(await eventCounts(request.watched)).toEqual(before);

    const only = await api.keyWith([route.permission]);
    const allowed = await api.call(route.method, request.path, { key: only, body: request.body });
    expect(allowed.status, JSON.stringify(allowed.body)).toBeLessThan(300);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['an unknown key', 'spw_not-a-key-anyone-was-given'],
  ])('answers 401 to %s, and writes nothing', async (_case, key) => {
    const destination = uniqueId('dest');
    const answer = await api.call('PUT', `/destinations/${destination}`, { ...(key ? { key } : {}), body: destinationBody() });
    expect(answer.status).toBe(401);
    expect(answer.body.error.type).toBe('unauthorized');
    expect(await eventCounts([destinationStreamName(destination)])).toEqual([0]);
  });

  it('serves /health and /openapi.json without a key; the document lists every route with its permission', async () => {
    expect((await api.call('GET', '/health')).body).toEqual({ status: 'ok' });
    const document = (await api.call('GET', '/openapi.json')).body;
    expect(document.openapi).toBe('3.1.0');
    for (const route of guarded) expect(document.paths[route.path][route.method.toLowerCase()]['x-permission']).toBe(route.permission);
    const destinationBodySchema = document.paths['/destinations/{id}'].put.requestBody.content['application/json'].schema;
    expect(destinationBodySchema.properties).toHaveProperty('endpoint');
    expect(destinationBodySchema.properties).not.toHaveProperty('destinationId');
    expect(document.paths['/profiles/{id}/exports'].get.parameters).toContainEqual(expect.objectContaining({ name: 'dataflowId', in: 'query', required: true }));
  });
});
