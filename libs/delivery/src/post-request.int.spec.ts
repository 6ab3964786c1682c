import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './http-client.ts';

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const closable of opened.splice(0)) closable.close();
});

function client(): HttpClient {
  const created = createHttpClient();
  opened.push(created);
  return created;
}

/** A server whose answer is written by `answer`. */
async function server(answer: (response: http.ServerResponse) => void): Promise<string> {
  const started = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(response));
  });
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  opened.push({ close: () => started.close() });
  started.unref();
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}/in`;
}

const request = { headers: { 'content-type': 'application/json' }, body: '{"a":1}', timeoutMs: 300 };

describe("the HTTP client's export POST (node:http over the client's agents, not got)", () => {
  it('gives the status and headers of the answer, read to its end', async () => {
    const url = await server((response) => response.writeHead(429, { 'retry-after': '3' }).end('slow down'));
    const answer = await client().post(url, request);
    expect(answer.statusCode).toBe(429);
    expect(answer.headers['retry-after']).toBe('3');
  });

  it('times out (ETIMEDOUT) on an answer whose headers came in time but whose body did not', async () => {
    const url = await server((response) => {
      response.writeHead(200);
      response.write('part');
      setTimeout(() => response.end(), 1_000).unref();
    });
    const started = performance.now();
    await expect(client().post(url, request)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('stops when the caller aborts', async () => {
    const url = await server(() => undefined);
    const controller = new AbortController();
    const sending = client().post(url, { ...request, timeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(sending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
