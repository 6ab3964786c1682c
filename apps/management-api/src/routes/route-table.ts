import { alertRoutes } from './alert-routes.ts';
import { buildOpenApi } from './openapi.ts';
import { dataflowRoutes } from './dataflow-routes.ts';
import { destinationRoutes } from './destination-routes.ts';
import { profileRoutes } from './profile-routes.ts';
import type { Route } from './route.ts';
import { statusRoutes } from './status-routes.ts';
import { statusPageRoute } from '../status-page/status-page-route.ts';

const guardedRoutes: readonly Route[] = [...destinationRoutes, ...dataflowRoutes, ...alertRoutes, ...statusRoutes, ...profileRoutes];

const publicRoutes: readonly Route[] = [
  { method: 'GET', path: '/health', permission: 'public', summary: 'Liveness: answers while the process runs.', handle: async () => ({ status: 200, body: { status: 'ok' } }) },
  {
    method: 'GET',
    path: '/openapi.json',
    permission: 'public',
    summary: 'This API as an OpenAPI 3.1 document.',
    handle: async () => ({ status: 200, body: openApiDocument }),
  },
  statusPageRoute,
];

/** Every route of the API: the server, the OpenAPI document and the permission test all read this table. */
export const routes: readonly Route[] = [...guardedRoutes, ...publicRoutes];

const openApiDocument = buildOpenApi(routes);
