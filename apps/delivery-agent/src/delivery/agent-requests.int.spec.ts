import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refusedUrl, type ReceivedRequest } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { waitUntil, worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));


/** What a receiver can check: everything but the connection-level headers, which vary. */
function exportHeaders(request: ReceivedRequest) {
  const { host, connection, 'content-length': contentLength, ...rest } = request.headers;
  expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(connection).toBe('keep-alive');
  expect(Number(contentLength)).toBe(Buffer.byteLength(request.rawBody));
  return rest;
}

describe('delivery agent: what the endpoint receives', () => {
  // Sent from a sender thread (the default) and from the agent's own thread.
  it.each([{ senderThreads: 1 }, { senderThreads: 0 }])('POSTs the document with query parameters, custom headers, a bearer token from an env var, and the export id and sequence (sender threads: $senderThreads)', async ({ senderThreads }) => {
    const endpoint = await receiver();
    const destinationId = world.id('dest');
    const dataflowId = world.id('df');
    await world.configureDestination({
      destinationId,
      endpoint: `${endpoint.url}/hooks/profiles?source=cdp`,
      queryParams: { api_key: 'key with space', region: 'eu' },
      headers: { 'X-Tenant': 'acme', 'x-trace-mode': 'a,b' },
      auth: { type: 'bearer', token: 'env:SPILLWAY_TEST_TOKEN' },
    });
    const document = { person: { name: { firstName: 'John' } }, identityMap: { ecid: [{ id: '145' }] }, segmentMembership: { ups: {} } };
    const exportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 7, document });

    world.startAgent({ env: { SPILLWAY_TEST_TOKEN: 'tok-from-env' }, senderThreads });
    const [received] = await endpoint.waitForRequests(1);
    const [outcome] = await world.waitForOutcomes(dataflowId, 1);

    expect(received!.method).toBe('POST');
    expect(received!.url).toBe('/hooks/profiles?source=cdp&api_key=key%20with%20space&region=eu');
    expect(exportHeaders(received!)).toEqual({
      'user-agent': 'spillway-delivery-agent/0.1',
      'content-type': 'application/json',
      authorization: 'Bearer tok-from-env',
      'x-export-id': exportId,
      'x-export-sequence': '7',
      'x-tenant': 'acme',
      'x-trace-mode': 'a,b',
    });
    expect(received!.body).toEqual(document);
    expect(outcome).toEqual({
      type: 'ExportDelivered',
      data: {
        exportId,
        sequence: 7,
        dataflowId,
        destinationId,
        profileId: 'p-1',
        lane: 'live',
        attempts: 1,
        status: 200,
        durationMs: expect.any(Number),
        ingestedAt: expect.any(String),
        deliveredAt: expect.any(String),
      },
    });
    // The line is logged once the outcome is recorded, so it may come just after the outcome is readable.
    await waitUntil(() => world.logs.some((entry) => entry.message === 'export delivered'), 'the delivery log line');
    const logged = world.logs.filter((entry) => entry.message === 'export delivered');
    expect(logged).toEqual([expect.objectContaining({ level: 'debug', dataflowId, profileId: 'p-1', exportId, status: 200, attempts: 1 })]);
    expect(world.logText()).not.toContain('tok-from-env');
    expect(world.logText()).not.toContain('key with space');
    expect(world.logText()).not.toContain('api_key');
  });

  it('reads a bearer token from a file, without its final newline, and sends no Authorization for auth none', async () => {
    const endpoint = await receiver();
    const secretFile = join(mkdtempSync(join(tmpdir(), 'agent-secret-')), 'token');
    writeFileSync(secretFile, 'tok-from-file\n');
    const [withToken, withoutAuth, dataflowId] = [world.id('file-dest'), world.id('none-dest'), world.id('df')];
    await world.configureDestination({ destinationId: withToken, endpoint: `${endpoint.url}/a`, auth: { type: 'bearer', token: `file:${secretFile}` } });
    await world.configureDestination({ destinationId: withoutAuth, endpoint: `${endpoint.url}/b`, auth: { type: 'none' } });
    await world.requestExport({ dataflowId, destinationId: withToken, profileId: 'p-1', sequence: 1 });
    await world.requestExport({ dataflowId, destinationId: withoutAuth, profileId: 'p-2', sequence: 1 });

    world.startAgent();
    const received = await endpoint.waitForRequests(2);
    await world.waitForOutcomes(dataflowId, 2);

    const byPath = Object.fromEntries(received.map((request) => [request.path, request.headers]));
    expect(byPath['/a']?.authorization).toBe('Bearer tok-from-file');
    expect(byPath['/b']).not.toHaveProperty('authorization');
    expect(world.logText()).not.toContain('tok-from-file');
  });
});

describe('delivery agent: bounded retry', () => {
  it('retries a 500 and records one ExportDelivered with attempts 2, the same export id sent twice', async () => {
    let calls = 0;
    const endpoint = await receiver({ respond: () => (++calls === 1 ? { status: 500 } : { status: 200 }) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const exportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 3 });

    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 1);

    expect(outcomes).toEqual([{ type: 'ExportDelivered', data: expect.objectContaining({ exportId, attempts: 2, status: 200 }) }]);
    expect(endpoint.requests.map((request) => [request.headers['x-export-id'], request.headers['x-export-sequence']])).toEqual([
      [exportId, '3'],
      [exportId, '3'],
    ]);
  });

  it('records ExportFailed for a 400 without retrying it, and logs it at warn', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 400, body: { error: 'bad document' } }) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: `${endpoint.url}/in?token=query-secret`, auth: { type: 'none' } });
    const exportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 1);

    expect(outcomes).toEqual([
      {
        type: 'ExportFailed',
        data: expect.objectContaining({ exportId, attempts: 1, status: 400, reason: 'the endpoint answered HTTP 400, which is not retried' }),
      },
    ]);
    expect(endpoint.requests).toHaveLength(1);
    await waitUntil(() => world.logs.some((entry) => entry.message === 'export failed'), 'the failure log line');
    expect(world.logs.filter((entry) => entry.message === 'export failed')).toEqual([
      expect.objectContaining({ level: 'warn', dataflowId, profileId: 'p-1', exportId, status: 400, attempts: 1 }),
    ]);
    expect(world.logText()).not.toContain('query-secret');
  });

  it('counts an answer after 2.5 s as a timeout (2 s by default) and retries it', async () => {
    let calls = 0;
    const endpoint = await receiver({ respond: () => (++calls === 1 ? { status: 200, delayMs: 2_500 } : { status: 200 }) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 1);

    expect(outcomes).toEqual([{ type: 'ExportDelivered', data: expect.objectContaining({ attempts: 2, status: 200 }) }]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'export delivery failed', errorCode: 'ETIMEDOUT' }));
  });

  it('gives up after 3 attempts when the endpoint never answers within the destination timeout', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 200, delayMs: 2_000 }) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, queryParams: { key: 'query-secret' }, auth: { type: 'none' }, timeoutMs: 200 });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 1);

    expect(outcomes).toEqual([
      {
        type: 'ExportFailed',
        data: expect.objectContaining({
          attempts: 3,
          errorCode: 'ETIMEDOUT',
          reason: 'gave up after 3 attempts: on the last one the endpoint did not answer within 200 ms',
        }),
      },
    ]);
    expect(endpoint.requests).toHaveLength(3);
    expect(world.logText()).not.toContain('query-secret');
  });

  it('retries a refused connection, then records why it gave up', async () => {
    const url = await refusedUrl();
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: `${url}/in?key=query-secret`, auth: { type: 'none' } });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    world.startAgent({ retry: { baseDelayMs: 10 } });
    const outcomes = await world.waitForOutcomes(dataflowId, 1);

    expect(outcomes).toEqual([
      {
        type: 'ExportFailed',
        data: expect.objectContaining({ attempts: 3, errorCode: 'ECONNREFUSED', reason: 'gave up after 3 attempts: on the last one the endpoint refused the connection' }),
      },
    ]);
    expect(world.logText()).not.toContain('query-secret');
  });
});
