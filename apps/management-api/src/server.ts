import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventStore } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import type { Keyring } from './access/api-keys.ts';
import { describePermission } from './access/permissions.ts';
import { ApiError } from './http/api-errors.ts';
import { readJsonBody, sendError, sendJson, sendText } from './http/http-io.ts';
import { matchRoute, type Route } from './routes/route.ts';
import { routes as allRoutes } from './routes/route-table.ts';

export interface ManagementApiOptions {
  readonly store: EventStore;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly host?: string;
  readonly port?: number;
  readonly now?: () => Date;
  readonly routes?: readonly Route[];
}

export interface ManagementApi {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const unauthorized = new ApiError(401, 'unauthorized', 'send an API key as Authorization: Bearer <key> (create one with spillway-api api-keys create)');

export function createRequestHandler(options: ManagementApiOptions) {
  const routes = options.routes ?? allRoutes;
  const now = options.now ?? (() => new Date());
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    let caller: string | undefined;
    try {
      const match = matchRoute(routes, request.method ?? 'GET', url.pathname);
      if (!match) throw new ApiError(404, 'not-found', `no route ${url.pathname}`);
      if (!('route' in match)) {
        response.setHeader('allow', match.allowed.join(', '));
        throw new ApiError(405, 'method-not-allowed', `${request.method} is not allowed on ${url.pathname}; use ${match.allowed.join(', ')}`);
      }
      const { route, params } = match;
      // Authentication and the permission come before the body is read or the store touched: a refused request changes nothing.
      if (route.permission !== 'public') {
        const key = bearerKey(request);
        const found = key === undefined ? undefined : await options.keyring.authenticate(key);
        if (!found) throw unauthorized;
        caller = found.name;
        if (!found.permissions.has(route.permission)) {
          throw new ApiError(403, 'forbidden', `the API key '${found.name}' lacks the permission ${describePermission(route.permission)} needed for ${route.method} ${route.path}`);
        }
      }
      const answer = await route.handle({ store: options.store, logger: options.logger, now, params, query: url.searchParams, body: () => readJsonBody(request) });
      if (answer.contentType === undefined) sendJson(response, answer.status, answer.body);
      else sendText(response, answer.status, answer.contentType, String(answer.body), answer.headers);
    } catch (error) {
      if (error instanceof ApiError) {
        sendError(response, error, error.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
      } else {
        options.logger.error('request failed', { method: request.method, path: url.pathname, error });
        sendError(response, new ApiError(500, 'internal-error', 'the request failed; see the API log'));
      }
    } finally {
      options.logger.debug('request', { method: request.method, path: url.pathname, status: response.statusCode, caller, durationMs: Date.now() - started });
    }
  };
}

function bearerKey(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export async function startManagementApi(options: ManagementApiOptions): Promise<ManagementApi> {
  const handler = createRequestHandler(options);
  const server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
