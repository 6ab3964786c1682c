import http from 'node:http';
import https from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.ts';
import { createTestPki, httpsReceiverOptions, type TestPki } from './tls-pki.ts';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; tls?: https.RequestOptions } = {}): Promise<Answer> {
  const transport = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method: init.method ?? 'POST', headers: init.headers, agent: false, ...init.tls }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

let receiver: HttpReceiver | undefined;
let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki?.remove());
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('startHttpReceiver', () => {
  it('records what arrived and answers 200 by default', async () => {
    receiver = await startHttpReceiver();
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}`);

    const answer = await send(`${receiver.url}/in/profiles?a=1&b=x%20y&a=2`, {
      headers: { 'Content-Type': 'application/json', 'X-Export-Id': 'e-1' },
      body: '{"person":{"name":"Jo"}}',
    });

    expect(answer.status).toBe(200);
    const [request] = receiver.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/in/profiles?a=1&b=x%20y&a=2',
      path: '/in/profiles',
      query: { a: ['1', '2'], b: 'x y' },
      rawBody: '{"person":{"name":"Jo"}}',
      body: { person: { name: 'Jo' } },
      remoteAddress: '127.0.0.1',
    });
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'x-export-id': 'e-1' });
    expect(request?.clientCertificate).toBeUndefined();
  });

  it('answers what the responder says, JSON-encoding object bodies', async () => {
    receiver = await startHttpReceiver({
      respond: (request) => ({ status: 429, headers: { 'Retry-After': '3' }, body: { seen: request.path } }),
    });

    const answer = await send(`${receiver.url}/x`, { body: 'not json' });

    expect(answer).toMatchObject({ status: 429, body: '{"seen":"/x"}' });
    expect(answer.headers).toMatchObject({ 'retry-after': '3', 'content-type': 'application/json' });
    expect(receiver.requests[0]?.body).toBeUndefined();
  });

  it('can change its answers mid-test', async () => {
    receiver = await startHttpReceiver({ respond: () => ({ status: 503 }) });
    expect((await send(receiver.url)).status).toBe(503);
    receiver.setResponder(() => ({ status: 204 }));
    expect((await send(receiver.url)).status).toBe(204);
  });

  it('delays an answer, having recorded the request first', async () => {
    receiver = await startHttpReceiver({ respond: () => ({ status: 200, delayMs: 300 }) });
    const answered = send(receiver.url, { body: '{}' });

    await receiver.waitForRequests(1, 1_000);
    const before = Date.now();
    expect((await answered).status).toBe(200);
    expect(Date.now() - before).toBeGreaterThanOrEqual(200);
  });

  it('drops the connection without answering', async () => {
    receiver = await startHttpReceiver({ respond: () => 'drop' });
    await expect(send(receiver.url, { body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('waits for a number of requests, or says how many came', async () => {
    receiver = await startHttpReceiver();
    const waiting = receiver.waitForRequests(2, 2_000);
    await send(receiver.url, { body: '1' });
    await send(receiver.url, { body: '2' });
    expect((await waiting).map((request) => request.body)).toEqual([1, 2]);

    await expect(receiver.waitForRequests(3, 50)).rejects.toThrow('expected 3 requests within 50 ms, received 2');
  });

  it('closes promptly with a delayed answer pending and kept-alive connections open', async () => {
    receiver = await startHttpReceiver({ respond: () => ({ status: 200, delayMs: 10_000 }) });
    const agent = new http.Agent({ keepAlive: true });
    const pending = new Promise((resolve) => {
      http.request(receiver!.url, { method: 'POST', agent }, resolve).on('error', resolve).end('{}');
    });
    await receiver.waitForRequests(1);

    // Would hang until the test timeout if close waited for the delayed answer or the idle socket.
    await receiver.close();
    await pending;
    agent.destroy();
  }, 5_000);

  it('serves https and reports the client certificate of a mutual-TLS client', async () => {
    receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'required') });
    expect(receiver.url).toBe(`https://127.0.0.1:${receiver.port}`);

    await send(receiver.url, { body: '{}', tls: { ca: pki.ca.cert, key: pki.client.key, cert: pki.client.cert } });

    expect(receiver.requests[0]?.clientCertificate).toMatchObject({
      subject: { CN: 'spillway-test-client', O: 'Spillway' },
      authorized: true,
    });
    expect(receiver.requests[0]?.clientCertificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('serves plain TLS clients when the client certificate is optional', async () => {
    receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'none') });
    await send(receiver.url, { body: '{}', tls: { ca: pki.ca.cert } });
    expect(receiver.requests[0]?.clientCertificate).toBeUndefined();
  });
});
