import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@spillway/runtime';
import { answerPublicInfo, type PublicInfo } from './public-info-routes.ts';

export interface PublicInfoServer {
  readonly url: string;
  close(): Promise<void>;
}

export class PublicInfoListenError extends Error {
  override readonly name = 'PublicInfoListenError';
  readonly type = 'PublicInfoListenError';
  readonly code: string | undefined;
  constructor(host: string, port: number, code: string | undefined) {
    super(`cannot serve the public certificate and egress addresses on ${host}:${port} (${code ?? 'unknown error'}): set SPILLWAY_AGENT_HTTP_PORT to a free port, or off`);
    this.code = code;
  }
}

/** Serves `GET /certificate`, `/certificate.pem` and `/egress-addresses` over plain HTTP. */
export async function startPublicInfoServer(info: PublicInfo, listen: { readonly host: string; readonly port: number }, logger: Logger): Promise<PublicInfoServer> {
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    const answer = answerPublicInfo(request.method ?? 'GET', path, info);
    if (answer.status >= 400) logger.debug('public info request refused', { method: request.method, status: answer.status });
    response.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-store', ...(answer.status === 405 ? { allow: 'GET, HEAD' } : {}) });
    response.end(request.method === 'HEAD' ? undefined : answer.body);
  });
  // Requests are tiny and answered at once: a slow client is cut off rather than held.
  server.requestTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new PublicInfoListenError(listen.host, listen.port, error.code)));
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
