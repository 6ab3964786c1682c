import { createLogger } from '@spillway/runtime';
import { createTestPki, httpsReceiverOptions, refusedUrl, startHttpReceiver, testClientCommonName, type HttpReceiver, type TestPki } from '@spillway/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverExport } from '../deliver.ts';
import { createHttpClient, type HttpClient } from '../http-client.ts';
import { deliveryTargetSchema } from '../target.ts';
import { createExportConnections, type ExportConnectionSettings } from '../tls/export-connections.ts';
import { startSenderThreads, type SenderThreads } from './sender-threads.ts';

// Real worker threads posting over loopback (and real TLS): what the agent's destinations use by default.
let pki: TestPki;
let threads: SenderThreads | undefined;
let failures: Error[] = [];
const receivers: HttpReceiver[] = [];
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  await pki?.remove();
});
afterEach(async () => {
  await threads?.close();
  threads = undefined;
  failures = [];
  for (const receiver of receivers.splice(0)) await receiver.close();
});

const logger = createLogger({ service: 'test', level: 'error', write: () => {} });
const exportRequest = { exportId: '3b0e7c9e-6a53-4a4c-9d3c-9c1c1b0f2a11', sequence: 4, dataflowId: 'df-1', profileId: 'p-1', destinationId: 'dest-1', document: { audiences: ['a'] } };

async function receiver(options: Parameters<typeof startHttpReceiver>[0] = {}): Promise<HttpReceiver> {
  const started = await startHttpReceiver(options);
  receivers.push(started);
  return started;
}

function start(connections: ExportConnectionSettings = {}, count = 1): SenderThreads {
  threads = startSenderThreads({ count, connections, onFailure: (error) => failures.push(error) });
  return threads;
}

/** A destination's client as the agent makes it: local for token requests, its exports sent from a thread. */
function threadClient(senders: SenderThreads, mtls = false, connections: ExportConnectionSettings = {}): HttpClient {
  return senders.sendFrom(createHttpClient({ maxSockets: 8, ...createExportConnections(connections)({ mtls }) }), { maxSockets: 8, mtls });
}

const template = (url: string, timeoutMs = 2_000) => ({ url: `${url}/in?k=v`, headers: { 'user-agent': 'ua', 'x-fixed': 'f', 'content-type': 'application/json' }, timeoutMs });

describe('sender threads: export POSTs sent from a worker thread', () => {
  it('send each request its own headers and body on top of the fixed ones, and bring back status and Retry-After', async () => {
    const endpoint = await receiver({ respond: (request) => (request.headers['x-n'] === '3' ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 }) });
    const post = threadClient(start()).prepare(template(endpoint.url));
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => post({ headers: { 'x-n': String(n), authorization: n % 2 === 0 ? `Bearer t${n}` : undefined }, body: JSON.stringify({ n }) })));

    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429, 200, 200, 200, 200, 200, 200]);
    expect(answers[3]?.retryAfter).toBe('7');
    expect(answers[0]?.retryAfter).toBeUndefined();
    const received = [...endpoint.requests].sort((a, b) => Number(a.headers['x-n']) - Number(b.headers['x-n']));
    received.forEach((request, n) => {
      expect(request).toMatchObject({ method: 'POST', url: '/in?k=v', body: { n } });
      expect(request.headers).toMatchObject({ 'user-agent': 'ua', 'x-fixed': 'f', 'content-length': String(JSON.stringify({ n }).length) });
      if (n % 2 === 0) expect(request.headers.authorization).toBe(`Bearer t${n}`);
      else expect(request.headers).not.toHaveProperty('authorization');
    });
  });

  it('give deliverExport the same outcomes as a client of this thread: delivered, rejected, refused, timed out', async () => {
    const endpoint = await receiver({ respond: (request) => (request.path === '/slow' ? { status: 200, delayMs: 1_000 } : request.path === '/full' ? { status: 503, headers: { 'retry-after': '2' } } : { status: 204 }) });
    const targets = [
      deliveryTargetSchema.parse({ endpoint: `${endpoint.url}/ok` }),
      deliveryTargetSchema.parse({ endpoint: `${endpoint.url}/full` }),
      deliveryTargetSchema.parse({ endpoint: await refusedUrl() }),
      deliveryTargetSchema.parse({ endpoint: `${endpoint.url}/slow`, timeoutMs: 100 }),
    ];
    const local = createHttpClient();
    const fromThread = threadClient(start());
    try {
      const outcomes = async (httpClient: HttpClient) =>
        (await Promise.all(targets.map((target) => deliverExport(exportRequest, target, { httpClient, logger })))).map(({ durationMs: _, ...outcome }) => outcome);
      const [here, there] = [await outcomes(local), await outcomes(fromThread)];

      expect(there).toEqual(here);
      expect(there.map((outcome) => (outcome.kind === 'delivered' ? outcome.status : outcome.failure === 'status' ? outcome.status : outcome.errorCode))).toEqual([204, 503, 'ECONNREFUSED', 'ETIMEDOUT']);
      expect(there[1]).toMatchObject({ retryable: true, retryAfterMs: 2_000 });
    } finally {
      local.close();
    }
  });

  it('present the client certificate only for a destination with mTLS on, and name the TLS code when it is off and required', async () => {
    const connections: ExportConnectionSettings = { extraCa: pki.ca.cert, clientCertificate: { cert: pki.client.cert, key: pki.encryptedClientKey.key, passphrase: pki.encryptedClientKey.passphrase } };
    const endpoint = await receiver({ https: httpsReceiverOptions(pki, 'required') });
    const senders = start(connections);
    const target = deliveryTargetSchema.parse({ endpoint: `${endpoint.url}/in` });

    const withCertificate = await deliverExport(exportRequest, target, { httpClient: threadClient(senders, true, connections), logger });
    const without = await deliverExport(exportRequest, target, { httpClient: threadClient(senders, false, connections), logger });

    expect(withCertificate).toMatchObject({ kind: 'delivered', status: 200 });
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]?.clientCertificate).toMatchObject({ subject: { CN: testClientCommonName }, authorized: true });
    expect(without).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', retryable: false });
  });

  it('with two threads, send each destination\'s exports from the thread that made its client', async () => {
    const endpoint = await receiver();
    const senders = start({}, 2);
    const posts = [threadClient(senders), threadClient(senders), threadClient(senders)].map((client) => client.prepare(template(endpoint.url)));
    const answers = await Promise.all(posts.flatMap((post) => [post({ headers: {}, body: '{}' }), post({ headers: {}, body: '{}' })]));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

describe('sender threads: abandoned and failed requests', () => {
  it('reject requests in flight at once with an AbortError when their signal aborts, and the endpoint sees them abandoned', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 200, delayMs: 1_500 }) });
    const post = threadClient(start()).prepare(template(endpoint.url, 5_000));
    const controller = new AbortController();
    const posts = [1, 2, 3].map(() => post({ headers: {}, body: '{}', signal: controller.signal }));
    const other = post({ headers: {}, body: '{}' });
    await endpoint.waitForRequests(4);
    const started = Date.now();
    controller.abort(new Error('stopping'));

    for (const settled of await Promise.allSettled(posts)) {
      expect(settled).toMatchObject({ status: 'rejected', reason: { name: 'AbortError', code: 'ERR_ABORTED', cause: { message: 'stopping' } } });
    }
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await other).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(endpoint.requests.map((request) => endpoint.outcomeOf(request)).sort()).toEqual(['abandoned', 'abandoned', 'abandoned', 'answered']);
  });

  it('send nothing when the signal has aborted already', async () => {
    const endpoint = await receiver();
    const post = threadClient(start()).prepare(template(endpoint.url));
    const controller = new AbortController();
    controller.abort();
    await expect(post({ headers: {}, body: '{}', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(endpoint.requests).toHaveLength(0);
  });

  it('fail what is in flight with SenderThreadExitedError when stopped', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 200, delayMs: 5_000 }) });
    const senders = start();
    const sending = threadClient(senders)
      .prepare(template(endpoint.url, 10_000))({ headers: {}, body: '{}' })
      .catch((error: unknown) => error);
    await endpoint.waitForRequests(1);
    await senders.close();
    threads = undefined;
    expect(await sending).toMatchObject({ name: 'SenderThreadExitedError', code: 'ERR_SENDER_THREAD_EXITED' });
    expect(failures).toEqual([]);
  });

  it('report a thread that fails, before failing its requests in flight and every later one', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 200, delayMs: 5_000 }) });
    const senders = start();
    const sending = threadClient(senders).prepare(template(endpoint.url, 10_000))({ headers: {}, body: '{}' });
    await endpoint.waitForRequests(1);
    let failuresWhenRejected: number | undefined;
    const rejected = sending.catch((error: unknown) => {
      failuresWhenRejected = failures.length;
      return error;
    });
    // A defect in the thread: a post prepared for a client already closed throws there.
    const closed = threadClient(senders);
    closed.close();
    closed.prepare(template(endpoint.url));

    expect(await rejected).toMatchObject({ name: 'SenderThreadExitedError', code: 'ERR_SENDER_THREAD_EXITED', message: expect.stringContaining('is not open') });
    expect(failuresWhenRejected).toBe(1);
    expect(failures).toHaveLength(1);
    const later = threadClient(senders).prepare(template(endpoint.url));
    await expect(later({ headers: {}, body: '{}' })).rejects.toMatchObject({ name: 'SenderThreadExitedError' });
  });
});
