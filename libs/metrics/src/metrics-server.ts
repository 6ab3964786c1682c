import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type MetricsPort = number | 'off';

export class MetricsPortError extends Error {
  readonly type = 'MetricsPortError';
  readonly value: string;
  constructor(value: string) {
    super(`SPILLWAY_METRICS_PORT must be a port number (0 picks a free one) or "off", got ${JSON.stringify(value)}`);
    this.name = 'MetricsPortError';
    this.value = value;
  }
}

/** Unset or "off": no metrics server (several services on one machine would fight over a default port). */
export function parseMetricsPort(value: string | undefined): MetricsPort {
  const text = value?.trim() ?? '';
  if (text === '' || text.toLowerCase() === 'off') return 'off';
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new MetricsPortError(text);
  return port;
}

export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9464/metrics` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  readonly port: number;
  /** @defaultValue 127.0.0.1 */
  readonly host?: string;
}

/** Serves `GET /metrics` in the Prometheus text format; anything else is 404. */
export async function serveMetrics(registry: Registry, options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.name : 'error'}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
