import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createLogger } from '@spillway/runtime';
import { refusedUrl, startHttpReceiver, type HttpReceiver, type Responder } from '@spillway/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverExport } from './deliver.ts';
import { userAgent } from './export-http-request.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';
import { deliveryTargetSchema, type DeliveryTargetInput, type ExportRequest } from './target.ts';

const logLines: string[] = [];
const logger = createLogger({ service: 'delivery-test', level: 'debug', write: (line) => logLines.push(line) });

const document = {
  person: { name: { firstName: 'John', lastName: 'Doe' } },
  identityMap: { ecid: [{ id: '14575006536349286404619648085736425115' }] },
  segmentMembership: { ups: { 'aud-1': { status: 'realized', lastQualificationTime: '2019-04-15T02:41:50Z' } } },
};
const request: ExportRequest = { exportId: 'exp-7f3a', sequence: 12, dataflowId: 'df-1', profileId: 'p-1', destinationId: 'dest-1', document };

let client: HttpClient;
let receiver: HttpReceiver | undefined;
beforeAll(() => {
  client = createHttpClient();
});
afterAll(() => client.close());
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  logLines.length = 0;
});

async function deliverTo(respond: Responder | undefined, target: Omit<DeliveryTargetInput, 'endpoint'> & { path?: string } = {}) {
  receiver = await startHttpReceiver(respond ? { respond } : {});
  const { path = '/', ...rest } = target;
  return deliverExport(request, deliveryTargetSchema.parse({ endpoint: `${receiver.url}${path}`, ...rest }), { logger, httpClient: client });
}

describe('deliverExport: what the endpoint receives', () => {
  it('POSTs the document with the query, custom headers, bearer token and export headers', async () => {
    const outcome = await deliverTo(undefined, {
      path: '/hooks/profiles?source=cdp&sig=a%2Bb',
      queryParams: { tenant: 'acme & co', 'region id': 'eu/west', 'ü': 'é?#' },
      headers: { 'X-Tenant': 'acme', 'X-Api-Version': '2' },
      auth: { type: 'bearer', token: 'tok-123' },
    });

    expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
    const [received] = receiver!.requests;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/hooks/profiles?source=cdp&sig=a%2Bb&tenant=acme%20%26%20co&region%20id=eu%2Fwest&%C3%BC=%C3%A9%3F%23');
    expect(received?.query).toEqual({ source: 'cdp', sig: 'a+b', tenant: 'acme & co', 'region id': 'eu/west', 'ü': 'é?#' });
    expect(received?.headers).toEqual({
      host: `127.0.0.1:${receiver!.port}`,
      connection: 'keep-alive',
      'content-length': String(Buffer.byteLength(JSON.stringify(document))),
      'content-type': 'application/json',
      'user-agent': userAgent,
      'x-tenant': 'acme',
      'x-api-version': '2',
      'x-export-id': 'exp-7f3a',
      'x-export-sequence': '12',
      authorization: 'Bearer tok-123',
    });
    expect(received?.body).toEqual(document);
  });

  it('sends no Authorization header with auth none', async () => {
    await deliverTo(undefined, { auth: { type: 'none' } });
    expect(receiver!.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('reuses one kept-alive connection for successive exports', async () => {
    receiver = await startHttpReceiver();
    const target = deliveryTargetSchema.parse({ endpoint: receiver.url });
    for (let sequence = 1; sequence <= 5; sequence += 1) {
      await deliverExport({ ...request, sequence }, target, { logger, httpClient: client });
    }
    expect(new Set(receiver.requests.map((received) => received.remotePort)).size).toBe(1);
    expect(receiver.requests.map((received) => received.headers['x-export-sequence'])).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('deliverExport: outcomes', () => {
  it.each([500, 503, 408, 502])('%i is a retryable failure', async (status) => {
    expect(await deliverTo(() => ({ status }))).toMatchObject({ kind: 'failed', failure: 'status', status, retryable: true });
  });

  it.each([400, 404, 401, 301])('%i is a failure that does not retry', async (status) => {
    expect(await deliverTo(() => ({ status, headers: { location: 'http://127.0.0.1:1/' } }))).toMatchObject({
      kind: 'failed',
      failure: 'status',
      status,
      retryable: false,
    });
    expect(receiver!.requests).toHaveLength(1);
  });

  it('any 2xx is delivered', async () => {
    expect(await deliverTo(() => ({ status: 202 }))).toMatchObject({ kind: 'delivered', status: 202 });
  });

  it('429 carries the Retry-After in seconds', async () => {
    expect(await deliverTo(() => ({ status: 429, headers: { 'Retry-After': '3' } }))).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 3_000,
    });
  });

  it('503 carries a Retry-After given as an HTTP-date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const outcome = await deliverTo(() => ({ status: 503, headers: { 'Retry-After': at } }));
    expect(outcome).toMatchObject({ status: 503, retryable: true });
    expect(outcome.kind === 'failed' && outcome.failure === 'status' ? outcome.retryAfterMs : undefined).toBeGreaterThan(55_000);
  });

  it('an answer after 2.5 s is a timeout with the default 2 s budget', async () => {
    const outcome = await deliverTo(() => ({ status: 200, delayMs: 2_500 }));
    expect(outcome).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'ETIMEDOUT', retryable: true });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(1_950);
    expect(outcome.durationMs).toBeLessThan(2_500);
  });

  it('a configured 300 ms budget times out a 600 ms answer', async () => {
    const outcome = await deliverTo(() => ({ status: 200, delayMs: 600 }), { timeoutMs: 300 });
    expect(outcome).toMatchObject({ kind: 'failed', errorCode: 'ETIMEDOUT', retryable: true });
    expect(outcome.durationMs).toBeLessThan(600);
  });

  it('a refused connection is retryable', async () => {
    const outcome = await deliverExport(request, deliveryTargetSchema.parse({ endpoint: `${await refusedUrl()}/` }), { logger });
    expect(outcome).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'ECONNREFUSED', retryable: true });
  });

  it('a connection dropped without an answer is retryable', async () => {
    expect(await deliverTo(() => 'drop')).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'ECONNRESET', retryable: true });
  });
});

describe('deliverExport: the body of the answer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(handler: (response: ServerResponse) => void): Promise<{ url: string; remotePorts: number[] }> {
    const remotePorts: number[] = [];
    server = createHttpServer((incoming, response) => {
      remotePorts.push(incoming.socket.remotePort ?? 0);
      incoming.resume();
      incoming.on('end', () => handler(response));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, remotePorts };
  }

  it('is read to its end and dropped, so the connection serves the next export', async () => {
    const { url, remotePorts } = await serve((response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('x'.repeat(256 * 1024));
    });
    const target = deliveryTargetSchema.parse({ endpoint: url });
    for (let sequence = 1; sequence <= 3; sequence += 1) {
      expect(await deliverExport({ ...request, sequence }, target, { logger, httpClient: client })).toMatchObject({ kind: 'delivered', status: 200 });
    }
    expect(remotePorts).toHaveLength(3);
    expect(new Set(remotePorts).size).toBe(1);
  });

  it.each([
    [200, { kind: 'delivered', status: 200 }],
    [503, { kind: 'failed', failure: 'status', status: 503, retryable: true }],
  ])('takes a status %i on time as the answer when its body then ends too late, and stops waiting at the timeout', async (status, expected) => {
    const { url } = await serve((response) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.write('partial');
      setTimeout(() => response.end('rest'), 600).unref();
    });
    const outcome = await deliverExport(request, deliveryTargetSchema.parse({ endpoint: url, timeoutMs: 300 }), { logger, httpClient: client });
    expect(outcome).toMatchObject(expected);
    expect(outcome.durationMs).toBeLessThan(600);
  });

  it('is a timeout when no status comes in time', async () => {
    const { url } = await serve((response) => {
      setTimeout(() => response.end('late'), 600).unref();
    });
    const outcome = await deliverExport(request, deliveryTargetSchema.parse({ endpoint: url, timeoutMs: 300 }), { logger, httpClient: client });
    expect(outcome).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'ETIMEDOUT', retryable: true });
  });
});

describe('deliverExport: logs', () => {
  it('reports a failure with its context and without the token or the query string', async () => {
    await deliverTo(() => ({ status: 500 }), { path: '/in?apiKey=q-secret', queryParams: { key: 'p-secret' }, auth: { type: 'bearer', token: 'tok-123' } });

    const failure = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['message'] === 'export delivery failed');
    expect(failure).toMatchObject({
      level: 'warn',
      exportId: 'exp-7f3a',
      dataflowId: 'df-1',
      profileId: 'p-1',
      status: 500,
      retryable: true,
      endpoint: `${receiver!.url}/in`,
    });
    expect(logLines.join('\n')).not.toMatch(/tok-123|q-secret|p-secret/);
  });
});
