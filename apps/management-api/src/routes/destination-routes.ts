import { destinationStreamName, publicEvent } from '@spillway/xdm';
import { ApiError, notFound } from '../http/api-errors.ts';
import { destinationEvents } from '../store/catalogs.ts';
import { currentDestination, guardConcurrentWrite, listDataflows, listDestinations, sameData } from '../store/config-state.ts';
import { destinationBodyJsonSchema, destinationFromBody, parsePathId } from './config-bodies.ts';
import type { Route } from './route.ts';

// Secrets are references (env:NAME, file:/path) in the stream and in every answer: never resolved here.
export const destinationRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/destinations',
    permission: 'view-destinations',
    summary: 'Lists the configured destinations.',
    handle: async ({ store }) => ({ status: 200, body: { destinations: await listDestinations(store) } }),
  },
  {
    method: 'GET',
    path: '/destinations/{id}',
    permission: 'view-destinations',
    summary: 'Reads one destination.',
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const { data } = await currentDestination(store, id);
      if (!data) throw notFound(`destination '${id}'`);
      return { status: 200, body: data };
    },
  },
  {
    method: 'PUT',
    path: '/destinations/{id}',
    permission: 'manage-destinations',
    summary: 'Creates or replaces a destination (writes DestinationConfigured to destination-<id>).',
    requestBody: destinationBodyJsonSchema,
    handle: async ({ store, params, body }) => {
      const id = parsePathId(params['id']!);
      const config = destinationFromBody(id, await body());
      const current = await currentDestination(store, id);
      if (current.data && sameData(current.data, config)) return { status: 200, body: config };
      await guardConcurrentWrite(() =>
        store.appendEvents(destinationStreamName(id), destinationEvents, [publicEvent('DestinationConfigured', config)], { expectedRevision: current.expectedRevision }),
      );
      return { status: current.data ? 200 : 201, body: config };
    },
  },
  {
    method: 'DELETE',
    path: '/destinations/{id}',
    permission: 'manage-destinations',
    summary: 'Deletes a destination no dataflow uses (writes DestinationDeleted).',
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const current = await currentDestination(store, id);
      if (!current.data) throw notFound(`destination '${id}'`);
      const users = (await listDataflows(store)).filter((dataflow) => dataflow.destinationId === id).map((dataflow) => dataflow.dataflowId);
      if (users.length > 0) throw new ApiError(409, 'destination-in-use', `destination '${id}' is used by dataflow(s) ${users.join(', ')}; delete them or point them elsewhere first`);
      await guardConcurrentWrite(() =>
        store.appendEvents(destinationStreamName(id), destinationEvents, [publicEvent('DestinationDeleted', { destinationId: id })], { expectedRevision: current.expectedRevision }),
      );
      return { status: 200, body: { deleted: id } };
    },
  },
];
