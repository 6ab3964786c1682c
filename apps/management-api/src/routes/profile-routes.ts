import type { EventStore } from '@spillway/event-streams';
import { deliveriesStreamName, exportsStreamName, profileStreamName } from '@spillway/pipeline-events';
import { idSchema } from '@spillway/xdm';
import { z } from 'zod';
import { fieldIssues, invalidRequest, notFound } from '../http/api-errors.ts';
import { deliveryEvents, exportEvents, profileEvents } from '../store/catalogs.ts';
import { listAudiences } from '../store/config-state.ts';
import { eachStreamEvent, readLatest } from '@spillway/event-streams';
import { parsePathId } from './config-bodies.ts';
import type { Route } from './route.ts';

const exportsQuerySchema = z.strictObject({ dataflowId: idSchema });

export const profileRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/audiences',
    permission: 'view-segments',
    summary: 'Lists the defined audiences (latest AudienceDefined of each audience-<id>).',
    handle: async ({ store }) => ({ status: 200, body: { audiences: await listAudiences(store) } }),
  },
  {
    method: 'GET',
    path: '/profiles/{id}',
    permission: 'view-profiles',
    summary: "A profile's merged state: the latest ProfileChanged in profile-<id>; `sequence` is its revision.",
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const latest = await readLatest(store, profileStreamName(id), profileEvents);
      if (!latest) throw notFound(`profile '${id}'`);
      const { state, ingestedAt } = latest.event.data;
      return { status: 200, body: { profileId: id, sequence: Number(latest.revision), ingestedAt, state } };
    },
  },
  {
    method: 'GET',
    path: '/profiles/{id}/exports',
    permission: 'view-profiles',
    summary:
      "A profile's exports through one dataflow and their outcome. Cost: one pass over exports-<dataflowId> and deliveries-<dataflowId> (time grows with the dataflow's exports; memory with this profile's), hence the required dataflowId.",
    query: exportsQuerySchema,
    handle: async ({ store, params, query }) => {
      const id = parsePathId(params['id']!);
      const parsed = exportsQuerySchema.safeParse(Object.fromEntries(query));
      if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error, 'query'));
      return { status: 200, body: { profileId: id, dataflowId: parsed.data.dataflowId, exports: await readProfileExports(store, parsed.data.dataflowId, id) } };
    },
  },
];

interface ExportView {
  exportId: string;
  sequence: number;
  destinationId: string;
  triggers: readonly string[];
  lane: string;
  decidedAt: string;
  outcome: 'pending' | 'delivered' | 'failed';
  status?: number;
  reason?: string;
  attempts?: number;
  at?: string;
}

async function readProfileExports(store: EventStore, dataflowId: string, profileId: string): Promise<ExportView[]> {
  const exports = new Map<string, ExportView>();
  for await (const stored of eachStreamEvent(store, exportsStreamName(dataflowId), exportEvents)) {
    const data = stored.event.data;
    if (data.profileId !== profileId) continue;
    exports.set(data.exportId, { exportId: data.exportId, sequence: data.sequence, destinationId: data.destinationId, triggers: data.triggers, lane: data.lane, decidedAt: data.decidedAt, outcome: 'pending' });
  }
  for await (const stored of eachStreamEvent(store, deliveriesStreamName(dataflowId), deliveryEvents)) {
    const event = stored.event;
    const view = exports.get(event.data.exportId);
    if (!view) continue;
    if (event.type === 'ExportDelivered') Object.assign(view, { outcome: 'delivered', status: event.data.status, attempts: event.data.attempts, at: event.data.deliveredAt });
    else Object.assign(view, { outcome: 'failed', status: event.data.status, reason: event.data.reason, attempts: event.data.attempts, at: event.data.failedAt });
  }
  return [...exports.values()];
}
