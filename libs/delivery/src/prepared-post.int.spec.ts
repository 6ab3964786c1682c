import { getEventListeners, once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { startHttpReceiver, type HttpReceiver } from '@spillway/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, preparePost, type HttpClient } from './http-client.ts';

let client: HttpClient;
let receiver: HttpReceiver | undefined;
beforeEach(() => {
  client = createHttpClient();
});
afterEach(async () => {
  client.close();
  await receiver?.close();
  receiver = undefined;
});

const template = (url: string) => ({ url: `${url}/in?k=v`, headers: { 'user-agent': 'ua', 'x-fixed': 'f', 'content-type': 'application/json' }, timeoutMs: 2_000 });

describe('preparePost: one template, many requests', () => {
  it('sends each request its own headers and body, also when they overlap, on top of the fixed ones', async () => {
    receiver = await startHttpReceiver({ respond: (request) => ({ status: 200, delayMs: Number(request.headers['x-n']) % 3 }) });
    const post = preparePost(client, template(receiver.url));
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        post({ headers: { 'x-n': String(n), authorization: n % 2 === 0 ? `Bearer t${n}` : undefined }, body: JSON.stringify({ n }) }),
      ),
    );

    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    const received = [...receiver.requests].sort((a, b) => Number(a.headers['x-n']) - Number(b.headers['x-n']));
    expect(received).toHaveLength(20);
    received.forEach((request, n) => {
      expect(request).toMatchObject({ method: 'POST', url: '/in?k=v', body: { n } });
      expect(request.headers).toMatchObject({ 'user-agent': 'ua', 'x-fixed': 'f', 'content-type': 'application/json', 'content-length': String(JSON.stringify({ n }).length) });
      if (n % 2 === 0) expect(request.headers.authorization).toBe(`Bearer t${n}`);
      else expect(request.headers).not.toHaveProperty('authorization');
    });
  });

  it('a header left out of one request is sent again by a later one that gives it', async () => {
    receiver = await startHttpReceiver();
    const post = preparePost(client, template(receiver.url));
    await post({ headers: { authorization: 'Bearer a' }, body: '{}' });
    await post({ headers: { authorization: undefined }, body: '{}' });
    await post({ headers: { authorization: 'Bearer c' }, body: '{}' });
    expect(receiver.requests.map((request) => request.headers.authorization)).toEqual(['Bearer a', undefined, 'Bearer c']);
  });
});

describe('preparePost: an answer whose body is cut off', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  /** An endpoint that sends the status line and headers, part of the announced body, then closes the connection. */
  async function cutOffEndpoint(status: string): Promise<string> {
    server = createServer((socket) => {
      socket.once('data', () => socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly part`));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  it.each(['200 OK', '503 Service Unavailable'])('is still the answer %s: the status line is the verdict', async (status) => {
    const post = preparePost(client, template(await cutOffEndpoint(status)));
    const answer = await post({ headers: {}, body: '{}' });
    expect(answer.statusCode).toBe(Number(status.slice(0, 3)));
  });
});

describe('preparePost: abort', () => {
  it('destroys every request in flight with got\'s AbortError when the signal aborts', async () => {
    receiver = await startHttpReceiver({ respond: () => ({ status: 200, delayMs: 5_000 }) });
    const post = preparePost(client, template(receiver.url));
    const controller = new AbortController();
    const posts = [1, 2, 3].map(() => post({ headers: {}, body: '{}', signal: controller.signal }));
    await receiver.waitForRequests(3);
    const started = Date.now();
    controller.abort(new Error('stopping'));
    for (const settled of await Promise.allSettled(posts)) {
      expect(settled).toMatchObject({ status: 'rejected', reason: { name: 'AbortError', code: 'ERR_ABORTED', cause: { message: 'stopping' } } });
    }
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('sends nothing when the signal has aborted already', async () => {
    receiver = await startHttpReceiver();
    const post = preparePost(client, template(receiver.url));
    const controller = new AbortController();
    controller.abort();
    await expect(post({ headers: {}, body: '{}', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.requests).toHaveLength(0);
  });

  it('keeps one abort listener on a signal however many requests used it', async () => {
    receiver = await startHttpReceiver();
    const post = preparePost(client, template(receiver.url));
    const signal = new AbortController().signal;
    for (let n = 0; n < 10; n++) await Promise.all([post({ headers: {}, body: '{}', signal }), post({ headers: {}, body: '{}', signal })]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
  });
});
