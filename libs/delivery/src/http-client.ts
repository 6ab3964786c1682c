import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import got, { type Got, type OptionsInit } from 'got';
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
  return {
    got: instance,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
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

/**
 * POSTs through got's stream API and reads the answer's body to its end without keeping it: the
 * promise API buffers every body and measured about 10% more CPU per request, and nothing reads
 * the body of an export's answer. Settles when the answer has been read (so `timeout.request`
 * still covers the whole answer and the socket goes back to the pool) or with got's error.
 */
export function postAndDrain(client: HttpClient, url: string, options: Pick<OptionsInit, 'headers' | 'body' | 'timeout' | 'signal'>): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const request = client.got.stream.post(url, options);
    let answer: PostAnswer | undefined;
    request.once('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      const retryAfter = response.headers['retry-after'];
      answer = { statusCode: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
    });
    request.on('error', reject);
    request.once('end', () => {
      if (answer) resolve(answer);
      else reject(new Error('the answer ended before its status line'));
    });
    request.resume();
  });
}
