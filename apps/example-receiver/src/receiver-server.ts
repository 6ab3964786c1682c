import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@spillway/runtime';
import { describeExport, RecentExports, type ReceivedExport } from './received-export.ts';

export interface ExampleReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** Gets each export as one JSON line (without the newline). */
  readonly print: (line: string) => void;
  readonly keep?: number;
}

export interface ExampleReceiver {
  readonly url: string;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

class BodyTooLarge extends Error {}

/** POST anything: printed and answered 200. GET /exports: the last ones received. */
export async function startExampleReceiver(options: ExampleReceiverOptions): Promise<ExampleReceiver> {
  const recent = new RecentExports(options.keep ?? 100);
  const server = http.createServer((request, response) => {
    route(request, response, recent, options).catch((error: unknown) => {
      options.logger.error('could not handle request', { error, method: request.method, path: request.url });
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(request: IncomingMessage, response: ServerResponse, recent: RecentExports, options: ExampleReceiverOptions): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://receiver').pathname;
  if (request.method === 'GET' && path === '/exports') return sendJson(response, 200, recent.list());
  if (request.method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok' });
  if (request.method !== 'POST') {
    return sendJson(response, 404, { error: 'POST an export to any path; GET /exports lists the last ones received' });
  }
  let text: string;
  try {
    text = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLarge) return sendJson(response, 413, { error: `body larger than ${maxBodyBytes} bytes` });
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    options.logger.warn('export body is not JSON', { path: request.url, bytes: Buffer.byteLength(text) });
    return sendJson(response, 400, { error: 'body is not JSON' });
  }
  const received: ReceivedExport = describeExport({
    method: request.method,
    url: request.url ?? '/',
    headers: request.headers,
    document,
    receivedAt: new Date(),
  });
  recent.add(received);
  options.print(JSON.stringify(received));
  sendJson(response, 200, { received: true });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
