import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target exactly as sent: path and raw query string. */
  readonly url: string;
  readonly path: string;
  /** Decoded query parameters; a repeated name gives an array. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Node's view: lower-case names. */
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  readonly body: unknown;
  readonly remoteAddress: string | undefined;
  /** The client's port: requests on one kept-alive connection share it. */
  readonly remotePort: number | undefined;
  /** Epoch milliseconds when the whole body had arrived. */
  readonly receivedAt: number;
  /** The TLS client certificate, when the client presented one. */
  readonly clientCertificate?: { readonly subject: Readonly<Record<string, string>>; readonly fingerprint256: string; readonly authorized: boolean };
}

export type ReceiverAnswer =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown; readonly delayMs?: number }
  /** Destroy the connection without answering (the client sees a reset). */
  | 'drop';

/**
 * What became of a request: `answered` once the answer was written to a connection the client
 * still held; `abandoned` when the client had gone (timed out, aborted, exited) by then.
 */
export type RequestOutcome = 'pending' | 'answered' | 'abandoned' | 'dropped';

export type Responder = (request: ReceivedRequest) => ReceiverAnswer | Promise<ReceiverAnswer>;

export interface HttpReceiverOptions {
  readonly https?: { readonly key: string | Buffer; readonly cert: string | Buffer; readonly ca?: string | Buffer; readonly requestCert?: boolean; readonly rejectUnauthorized?: boolean };
  /** Default: 200 with an empty body. */
  readonly respond?: Responder;
  /** The port to listen on (e.g. to start a receiver again where a stopped one was). Default: a free one. */
  readonly port?: number;
}

export interface HttpReceiver {
  readonly url: string;
  readonly port: number;
  /** Every request so far, in arrival order (recorded before the answer is sent). */
  readonly requests: readonly ReceivedRequest[];
  /** Resolves with the first `count` requests once that many arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Changes how later requests are answered. */
  setResponder(respond: Responder): void;
  /** Whether the client was still there for the answer to this request (one of `requests`). */
  outcomeOf(request: ReceivedRequest): RequestOutcome;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Waiter {
  readonly count: number;
  readonly resolve: (requests: ReceivedRequest[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const answerOk: Responder = () => ({ status: 200 });

/** A real HTTP(S) server on 127.0.0.1, on a free port, that records what it receives. */
export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<Waiter>();
  const delays = new Set<NodeJS.Timeout>();
  let respond = options.respond ?? answerOk;
  const outcomes = new WeakMap<ReceivedRequest, RequestOutcome>();

  const record = (request: ReceivedRequest) => {
    requests.push(request);
    for (const waiter of waiters) {
      if (requests.length < waiter.count) continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(requests.slice(0, waiter.count));
    }
  };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const received = await readRequest(incoming);
    outcomes.set(received, 'pending');
    record(received);
    const answer = await respond(received);
    if (answer === 'drop') {
      incoming.socket.destroy();
      outcomes.set(received, 'dropped');
      return;
    }
    const send = () => {
      // An HTTP client never half-closes while it waits for an answer: an ended socket means it gave up.
      const gone = outgoing.destroyed || incoming.socket.destroyed || incoming.socket.readableEnded;
      outcomes.set(received, gone ? 'abandoned' : 'answered');
      if (!gone) writeAnswer(outgoing, answer);
    };
    if (!answer.delayMs) return send();
    const timer = setTimeout(() => {
      delays.delete(timer);
      send();
    }, answer.delayMs);
    delays.add(timer);
  };
  const listener = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent && !outgoing.destroyed) outgoing.writeHead(500).end(String(error));
    });
  };

  const server = options.https ? https.createServer({ ...options.https }, listener) : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`receiver closed after ${requests.length} of ${waiter.count} expected requests`));
      }
      waiters.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: `${options.https ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    waitForRequests: (count, timeoutMs = 5_000) => {
      if (requests.length >= count) return Promise.resolve(requests.slice(0, count));
      return new Promise<ReceivedRequest[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`expected ${count} requests within ${timeoutMs} ms, received ${requests.length}`));
        }, timeoutMs);
        const waiter: Waiter = { count, resolve, reject, timer };
        waiters.add(waiter);
      });
    },
    setResponder: (next) => {
      respond = next;
    },
    outcomeOf: (request) => outcomes.get(request) ?? 'pending',
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function readRequest(incoming: IncomingMessage): Promise<ReceivedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const target = new URL(incoming.url ?? '/', 'http://receiver');
  const certificate = clientCertificateOf(incoming);
  return {
    method: incoming.method ?? '',
    url: incoming.url ?? '',
    path: target.pathname,
    query: queryOf(target.searchParams),
    headers: incoming.headers,
    rawBody,
    body: parseJson(rawBody),
    remoteAddress: incoming.socket.remoteAddress,
    remotePort: incoming.socket.remotePort,
    receivedAt: Date.now(),
    ...(certificate ? { clientCertificate: certificate } : {}),
  };
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function clientCertificateOf(incoming: IncomingMessage): ReceivedRequest['clientCertificate'] {
  const socket = incoming.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const certificate = socket.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) return undefined;
  return {
    subject: { ...(certificate.subject as unknown as Record<string, string>) },
    fingerprint256: certificate.fingerprint256,
    authorized: socket.authorized === true,
  };
}

function writeAnswer(outgoing: ServerResponse, answer: Exclude<ReceiverAnswer, 'drop'>): void {
  const headers: Record<string, string> = { ...answer.headers };
  let body = '';
  if (typeof answer.body === 'string') body = answer.body;
  else if (answer.body !== undefined) {
    body = JSON.stringify(answer.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  outgoing.writeHead(answer.status, headers).end(body);
}
