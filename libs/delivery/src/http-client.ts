import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';

export interface HttpClientOptions {
  /** Upper bound on concurrent connections per endpoint origin. */
  readonly maxSockets?: number;
  /** Extra TLS options for https endpoints (client certificate, CA, local address...). */
  readonly https?: Omit<https.AgentOptions, 'keepAlive' | 'maxSockets' | 'maxFreeSockets'>;
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
  const instance = got.extend({
    agent: { http: httpAgent, https: httpsAgent },
    // Retries are our policy (outcome.ts, retry-policy.ts), not got's.
    retry: { limit: 0 },
    throwHttpErrors: false,
    // Following a redirect would replay the document and credentials to a URL nobody configured.
    followRedirect: false,
    // We never read the response body, so do not ask for compressed ones.
    decompress: false,
  });
  return {
    got: instance,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

let shared: HttpClient | undefined;

/** A process-wide client for callers that do not manage their own. */
export function sharedHttpClient(): HttpClient {
  shared ??= createHttpClient();
  return shared;
}
