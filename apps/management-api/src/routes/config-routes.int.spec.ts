import { dataflowStreamName, destinationStreamName } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataflowEvents, destinationEvents } from '../store/catalogs.ts';
import { dataflowBody, destinationBody, startApiForTest, uniqueId, type ApiHarness } from '../testing/api-harness.ts';

let api: ApiHarness;
let key: string;
beforeAll(async () => {
  api = await startApiForTest();
  key = await api.allPermissionsKey();
});
afterAll(() => api.close());

const destinationEventsOf = async (id: string) => (await api.store.readStreamEvents(destinationStreamName(id), destinationEvents)).map((stored) => stored.event);
const dataflowEventsOf = async (id: string) => (await api.store.readStreamEvents(dataflowStreamName(id), dataflowEvents)).map((stored) => stored.event);

describe('destinations', () => {
  it('round-trips create, read, list, update and delete as DestinationConfigured / DestinationDeleted events', async () => {
    const id = uniqueId('dest');
    const created = await api.call('PUT', `/destinations/${id}`, { key, body: destinationBody({ headers: 'x-team: data, x-env:prod', queryParams: 'source=spillway' }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ destinationId: id, headers: { 'x-team': 'data', 'x-env': 'prod' }, queryParams: { source: 'spillway' } });

    expect((await api.call('GET', `/destinations/${id}`, { key })).body).toEqual(created.body);
    const list = await api.call('GET', '/destinations', { key });
    expect(list.body.destinations).toContainEqual(created.body);
    // The secret stays a reference in the answer, as in the stream: it is never resolved.
    expect(created.body.auth).toEqual({ type: 'bearer', token: 'env:RECEIVER_TOKEN' });

    expect((await api.call('PUT', `/destinations/${id}`, { key, body: destinationBody({ headers: { 'x-team': 'data', 'x-env': 'prod' }, queryParams: { source: 'spillway' } }) })).status).toBe(200);
    expect(await destinationEventsOf(id)).toHaveLength(1); // the same configuration again writes nothing

    const updated = await api.call('PUT', `/destinations/${id}`, { key, body: destinationBody({ name: 'Renamed' }) });
    expect(updated.status).toBe(200);
    expect((await api.call('GET', `/destinations/${id}`, { key })).body.name).toBe('Renamed');

    expect((await api.call('DELETE', `/destinations/${id}`, { key })).status).toBe(200);
    expect((await api.call('GET', `/destinations/${id}`, { key })).status).toBe(404);
    expect((await destinationEventsOf(id)).map((event) => event.type)).toEqual(['DestinationConfigured', 'DestinationConfigured', 'DestinationDeleted']);
  });

  it.each([
    ['bad URL', { endpoint: 'ftp://receiver.example.com' }, 'endpoint'],
    ['malformed headers string', { headers: 'x-team data' }, 'headers'],
    ['header set by the pipeline', { headers: 'content-type:text/plain' }, 'headers.content-type'],
    ['header named twice in different case', { headers: { 'X-Tenant': 'a', 'x-tenant': 'b' } }, 'headers.x-tenant'],
    ['mTLS on an http:// endpoint', { endpoint: 'http://receiver.example.com/in', mtls: { enabled: true } }, 'mtls.enabled'],
    ['literal secret instead of a reference', { auth: { type: 'bearer', token: 'eyJhbGciOi.secret' } }, 'auth.token'],
    ['id different from the path', { destinationId: 'other' }, 'destinationId'],
  ])('refuses a %s with 400 naming the field, and writes nothing', async (_case, overrides, field) => {
    const id = uniqueId('dest');
    const answer = await api.call('PUT', `/destinations/${id}`, { key, body: destinationBody(overrides) });
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toContainEqual({ field, reason: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toContain('eyJhbGciOi.secret');
    expect(await destinationEventsOf(id)).toEqual([]);
  });

  it('shows and updates a destination whose newest event is malformed (written by hand): the last valid configuration stands', async () => {
    const id = uniqueId('dest');
    expect((await api.call('PUT', `/destinations/${id}`, { key, body: destinationBody({ name: 'Valid' }) })).status).toBe(201);
    await api.store.appendUncheckedEvents(destinationStreamName(id), [{ type: 'DestinationConfigured', data: { destinationId: id, endpoint: 42 } }]);

    const shown = await api.call('GET', `/destinations/${id}`, { key });
    expect([shown.status, shown.body.name]).toEqual([200, 'Valid']);
    const updated = await api.call('PUT', `/destinations/${id}`, { key, body: destinationBody({ name: 'Fixed' }) });
    expect(updated.status).toBe(200);
    expect((await api.call('GET', `/destinations/${id}`, { key })).body.name).toBe('Fixed');
    expect((await destinationEventsOf(id)).map((event) => event.type === 'DestinationConfigured' && event.data.name)).toEqual(['Valid', 'Fixed']);
  });

  it('refuses a body that is not JSON, and a destination still used by a dataflow', async () => {
    expect((await api.call('PUT', `/destinations/${uniqueId('dest')}`, { key, rawBody: '{not json' })).body.error.issues).toEqual([{ field: '(body)', reason: 'is not valid JSON' }]);
    const [destination, dataflow, audience] = [uniqueId('dest'), uniqueId('flow'), uniqueId('aud')];
    await api.defineAudience(audience);
    await api.call('PUT', `/destinations/${destination}`, { key, body: destinationBody() });
    await api.call('PUT', `/dataflows/${dataflow}`, { key, body: dataflowBody(destination, [audience]) });
    const refused = await api.call('DELETE', `/destinations/${destination}`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(dataflow);
  });
});

describe('dataflows', () => {
  it('round-trips a dataflow with consent evaluation on, stored in the DataflowConfigured event', async () => {
    const [destination, dataflow, audience] = [uniqueId('dest'), uniqueId('flow'), uniqueId('aud')];
    await api.defineAudience(audience);
    await api.call('PUT', `/destinations/${destination}`, { key, body: destinationBody() });
    const created = await api.call('PUT', `/dataflows/${dataflow}`, { key, body: dataflowBody(destination, [audience], { consent: true }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ dataflowId: dataflow, destinationId: destination, consent: true, audiences: [{ audienceId: audience }] });
    expect((await dataflowEventsOf(dataflow))[0]).toMatchObject({ type: 'DataflowConfigured', data: { consent: true } });

    const read = await api.call('GET', `/dataflows/${dataflow}`, { key });
    expect(read.body).toEqual(created.body);
    expect((await api.call('GET', '/dataflows', { key })).body.dataflows).toContainEqual(created.body);

    // Audiences may be given as plain ids; consent left out is off (the default).
    const updated = await api.call('PUT', `/dataflows/${dataflow}`, { key, body: { ...dataflowBody(destination, []), audiences: [audience] } });
    expect(updated.body).toMatchObject({ consent: false, audiences: [{ audienceId: audience }] });

    const status = await api.call('GET', `/dataflows/${dataflow}/status`, { key });
    expect(status.body).toEqual({ dataflowId: dataflow, enabled: true, consent: false, counts: { received: expect.any(Number), exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0 }, backfills: [] });

    expect((await api.call('DELETE', `/dataflows/${dataflow}`, { key })).status).toBe(200);
    expect((await api.call('GET', `/dataflows/${dataflow}`, { key })).status).toBe(404);
    expect((await dataflowEventsOf(dataflow)).map((event) => event.type)).toEqual(['DataflowConfigured', 'DataflowConfigured', 'DataflowDeleted']);
  });

  it.each([
    ['unknown audience', (ids: Ids) => dataflowBody(ids.destination, [ids.audience, 'no-such-audience']), 'audiences[1].audienceId'],
    ['destination that is not configured', (ids: Ids) => dataflowBody('no-such-destination', [ids.audience]), 'destinationId'],
    ['invalid attribute path', (ids: Ids) => dataflowBody(ids.destination, [ids.audience], { attributes: ['person..name'] }), 'attributes[0]'],
    ['attribute that is always exported', (ids: Ids) => dataflowBody(ids.destination, [ids.audience], { attributes: ['identityMap.email'] }), 'attributes[0]'],
    ['consent that is not a boolean', (ids: Ids) => dataflowBody(ids.destination, [ids.audience], { consent: 'yes' }), 'consent'],
  ])('refuses a %s with 400 naming the field, and writes nothing', async (_case, body, field) => {
    const ids = { destination: uniqueId('dest'), audience: uniqueId('aud') };
    await api.defineAudience(ids.audience);
    await api.call('PUT', `/destinations/${ids.destination}`, { key, body: destinationBody() });
    const dataflow = uniqueId('flow');
    const answer = await api.call('PUT', `/dataflows/${dataflow}`, { key, body: body(ids) });
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toContainEqual({ field, reason: expect.any(String) });
    expect(await dataflowEventsOf(dataflow)).toEqual([]);
  });
});

interface Ids {
  readonly destination: string;
  readonly audience: string;
}
