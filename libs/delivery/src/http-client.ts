import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import got, { AbortError, Options, type Got, type Request } from 'got';
import type { LocalBinding } from './egress-addresses.ts';

export interface HttpClientOptions {
  /** Upper bound on concurrent connections per endpoint origin. */
  readonly maxSockets?: number;
  /** Extra TLS options for https endpoints (client certificate `cert`/`key`/`passphrase`, trusted `ca`). */
  readonly https?: Omit<https.AgentOptions, 'keepAlive' | 'maxSockets' | 'maxFreeSockets' | 'localAddress' | 'family'>;
  /**
   * Called once per new connection (http and https) for the local address to bind it to: the
   * egress addresses. The endpoint is then resolved in that address's family only.
   */
  readonly localBinding?: () => LocalBinding;
  /** How endpoint names are resolved (see dns-lookup.ts). @defaultValue the system resolver */
  readonly lookup?: LookupFunction;
}

/** A got instance over keep-alive agents: one per destination, so connections are reused. */
export interface HttpClient {
  readonly got: Got;
  /** The POST of one destination's exports, built once (see `preparePost`); a sender thread's client sends it from there. */
  prepare(template: PostTemplate): PreparedPost;
  /** Closes the pooled connections; in-flight requests fail. */
  close(): void;
}

export const defaultMaxSockets = 64;

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const maxSockets = options.maxSockets ?? defaultMaxSockets;
  // LIFO keeps the busiest sockets warm and lets the extra ones hit the idle timeout.
  const pooling = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' } as const;
  const httpAgent = new http.Agent(pooling);
  const httpsAgent = new https.Agent({ ...options.https, ...pooling });
  if (options.localBinding) {
    bindNewConnections(httpAgent, options.localBinding);
    bindNewConnections(httpsAgent, options.localBinding);
  }
  const instance = got.extend({
    agent: { http: httpAgent, https: httpsAgent },
    // Retries are our policy (outcome.ts, retry-policy.ts), not got's.
    retry: { limit: 0 },
    throwHttpErrors: false,
    // Following a redirect would replay the document and credentials to a URL nobody configured.
    followRedirect: false,
    // We never read the response body, so do not ask for compressed ones.
    decompress: false,
    ...(options.lookup ? { dnsLookup: options.lookup as never } : {}),
  });
  const client: HttpClient = {
    got: instance,
    prepare: (template) => preparePost(client, template),
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
  return client;
}

type ConnectionOptions = Parameters<http.Agent['createConnection']>[0];
type ConnectionCallback = (error: Error | null, socket: Socket) => void;

// The agent keeps one pool per origin whatever the local address, so the binding is chosen where a
// socket is made rather than per request (a per-request localAddress would split the pool).
function bindNewConnections(agent: http.Agent, localBinding: () => LocalBinding): void {
  const create = agent.createConnection.bind(agent) as (options: ConnectionOptions, callback?: ConnectionCallback) => Socket;
  agent.createConnection = ((options: ConnectionOptions, callback?: ConnectionCallback) => {
    const { address, family } = localBinding();
    return create({ ...options, localAddress: address, family }, callback);
  }) as http.Agent['createConnection'];
}

let shared: HttpClient | undefined;

/** A process-wide client for callers that do not manage their own. */
export function sharedHttpClient(): HttpClient {
  shared ??= createHttpClient();
  return shared;
}

export interface PostAnswer {
  readonly statusCode: number;
  readonly retryAfter: string | undefined;
}

/** What stays the same for every POST of one destination. */
export interface PostTemplate {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** got's `timeout.request`: connect to the answer's last byte. */
  readonly timeoutMs: number;
}

/** What one POST has of its own. A header given as `undefined` is not sent. */
export interface PostOwn {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /** Aborts the request in flight (got's `AbortError`). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * POSTs through got's stream API and reads the answer's body to its end without keeping it;
 * settles when the answer has been read (so `timeout.request` covers the whole answer and the
 * socket goes back to the pool), with its status also when its body then fails, or else with
 * got's error.
 */
export type PreparedPost = (own: PostOwn) => Promise<PostAnswer>;

// got's third argument: the options a request starts from (typed only for the promise API, but
// `isStream` in them makes got hand back the request stream, as `got.stream` does).
type GotFromDefaults = (url: undefined, options: undefined, defaults: Options) => unknown;

/**
 * got's options for one destination's POSTs are built once. Otherwise each request merges its
 * options into the instance's defaults and parses the URL again: about a sixth of got's CPU per
 * request. Each POST sets its own headers and body on the template and passes it to got as its
 * defaults; got copies them in the request's constructor, synchronously, before anything else
 * can touch the template. The promise API would buffer every body, and nothing reads an
 * export's answer.
 */
export function preparePost(client: HttpClient, template: PostTemplate): PreparedPost {
  const options = new Options(template.url, { method: 'POST', headers: { ...template.headers }, timeout: { request: template.timeoutMs } }, client.got.defaults.options);
  options.isStream = true;
  const fromDefaults = client.got as unknown as GotFromDefaults;
  return ({ headers, body, signal }) => {
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete options.headers[name];
      else options.headers[name] = value;
    }
    // Given, so that got does not encode the body once only to measure it (and again to send it).
    options.headers['content-length'] = String(Buffer.byteLength(body));
    options.body = body;
    const request = fromDefaults(undefined, undefined, options) as Request;
    options.body = undefined;
    return drain(request, signal);
  };
}

function drain(request: Request, signal: AbortSignal | undefined): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const untrack = signal === undefined ? undefined : abortWith(signal, request);
    let answer: PostAnswer | undefined;
    request.once('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      const retryAfter = response.headers['retry-after'];
      answer = { statusCode: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
    });
    request.on('error', (error) => {
      untrack?.();
      // The status line is the endpoint's answer: a body cut off (or timed out, or abandoned) after it does not change it.
      if (answer) resolve(answer);
      else reject(error);
    });
    request.once('end', () => {
      untrack?.();
      if (answer) resolve(answer);
      else reject(new Error('the answer ended before its status line'));
    });
    request.resume();
  });
}

// got given a `signal` adds and removes its abort listener three times per request; one listener
// per signal destroys the requests in flight instead, with the error got would have used.
const inFlight = new WeakMap<AbortSignal, Set<Request>>();

function abortWith(signal: AbortSignal, request: Request): () => void {
  if (signal.aborted) {
    request.destroy(abortErrorOf(request, signal));
    return () => {};
  }
  let requests = inFlight.get(signal);
  if (requests === undefined) {
    const tracked = new Set<Request>();
    signal.addEventListener(
      'abort',
      () => {
        for (const each of tracked) each.destroy(abortErrorOf(each, signal));
        tracked.clear();
      },
      { once: true },
    );
    inFlight.set(signal, tracked);
    requests = tracked;
  }
  const own = requests;
  own.add(request);
  return () => own.delete(request);
}

function abortErrorOf(request: Request, signal: AbortSignal): AbortError {
  const error = new AbortError(request);
  error.cause = signal.reason;
  return error;
}
