import { randomUUID } from 'node:crypto';
import {
  deadLetterStatusSchema,
  instantFilterSchema,
  readDataflowActivity,
  readDataflowHealth,
  readDeadLetters,
  replayDeadLetters,
  type DeadLetterFilters,
  type ListedDeadLetter,
} from '@spillway/dataflow-status';
import type { EventStore } from '@spillway/event-streams';
import { idSchema, isPlainObject } from '@spillway/xdm';
import { z } from 'zod';
import { ApiError, fieldIssues, invalidRequest, notFound } from '../http/api-errors.ts';
import { currentDataflow } from '../store/config-state.ts';
import { parsePathId } from './config-bodies.ts';
import type { Route, RouteContext } from './route.ts';

const activityQuerySchema = z.strictObject({
  minutes: z.coerce.number({ error: 'must be a number of minutes' }).int({ error: 'must be a whole number' }).min(1).max(1440).default(60),
  bucketMinutes: z.coerce.number({ error: 'must be a number of minutes' }).int({ error: 'must be a whole number' }).min(1).max(60).default(1),
});

const deadLetterFilterFields = {
  status: deadLetterStatusSchema.optional(),
  profile: idSchema.optional(),
  since: instantFilterSchema.optional(),
  until: instantFilterSchema.optional(),
};
const deadLettersQuerySchema = z.strictObject(deadLetterFilterFields);

const replaySelectionSchema = z
  .strictObject({
    exportIds: z.array(z.uuid({ error: 'must be export ids (UUIDs)' })).min(1, { error: 'must name at least one export' }).max(1000).optional(),
    all: z.boolean().optional(),
    ...deadLetterFilterFields,
  })
  .refine((body) => body.all === true || Object.values(body).some((value) => value !== undefined), {
    error: 'name what to replay: exportIds, a filter (status, profile, since, until), or all: true',
    path: ['exportIds'],
  });

type FilterValues = { status?: string | undefined; profile?: string | undefined; since?: number | undefined; until?: number | undefined };

const filtersOf = (dataflowId: string, values: FilterValues): DeadLetterFilters => ({
  dataflowId,
  ...(values.status === undefined ? {} : { status: values.status }),
  ...(values.profile === undefined ? {} : { profileId: values.profile }),
  ...(values.since === undefined ? {} : { sinceMs: values.since }),
  ...(values.until === undefined ? {} : { untilMs: values.until }),
});

/** The dead letter as listed: everything but the document and the request (the document is profile data). */
function deadLetterView(deadLetter: ListedDeadLetter) {
  const { export: _export, request: _request, ...view } = deadLetter;
  return view;
}

async function configuredDataflow(store: EventStore, rawId: string) {
  const id = parsePathId(rawId);
  const { data } = await currentDataflow(store, id);
  if (!data) throw notFound(`dataflow '${id}'`);
  return data;
}

function parseQuery<T extends z.ZodType>(schema: T, query: URLSearchParams): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(query));
  if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error, 'query'));
  return parsed.data;
}

async function replay({ store, now }: RouteContext, deadLetters: readonly ListedDeadLetter[]) {
  const result = await replayDeadLetters(store, deadLetters, { newId: randomUUID, now });
  return { status: 200, body: { replayed: result.replays.length, replays: result.replays, alreadyReplayed: result.alreadyReplayed } };
}

export const statusRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/dataflows/{id}/activity',
    permission: 'view-destinations',
    summary:
      "A dataflow's activity over the last `minutes` (default 60) in buckets of `bucketMinutes` (default 1): delivered, failed, retried, superseded, dead-lettered, failed requests by status or error code, latency p50/p95 from ingest to delivery. Read backwards from deliveries-<id> and deadletters-<id> until older than the window.",
    query: activityQuerySchema,
    handle: async ({ store, params, query, now }) => {
      const { minutes, bucketMinutes } = parseQuery(activityQuerySchema, query);
      const dataflow = await configuredDataflow(store, params['id']!);
      const window = { endMs: now().getTime(), bucketMs: bucketMinutes * 60_000, buckets: Math.ceil(minutes / bucketMinutes) };
      return { status: 200, body: { dataflowId: dataflow.dataflowId, ...(await readDataflowActivity(store, dataflow.dataflowId, window)) } };
    },
  },
  {
    method: 'GET',
    path: '/dataflows/{id}/health',
    permission: 'view-destinations',
    summary: "A dataflow's state: enabled, its destination's circuit (circuits-<destinationId>), its open alerts (alerts-<id>) and its backfills (backfill-<id>).",
    handle: async ({ store, params }) => {
      const dataflow = await configuredDataflow(store, params['id']!);
      const health = await readDataflowHealth(store, dataflow.dataflowId, dataflow.destinationId);
      return { status: 200, body: { dataflowId: dataflow.dataflowId, destinationId: dataflow.destinationId, enabled: dataflow.enabled, ...health } };
    },
  },
  {
    method: 'GET',
    path: '/dataflows/{id}/deadletters',
    permission: 'view-destinations',
    summary:
      "A dataflow's dead letters (deadletters-<id>), oldest first, without their documents; each replayed one carries `replayed`. Filters: status (503, 5xx, ECONNREFUSED), profile, since, until.",
    query: deadLettersQuerySchema,
    handle: async ({ store, params, query }) => {
      const filters = parseQuery(deadLettersQuerySchema, query);
      const dataflow = await configuredDataflow(store, params['id']!);
      const deadLetters = await readDeadLetters(store, filtersOf(dataflow.dataflowId, filters));
      return { status: 200, body: { dataflowId: dataflow.dataflowId, deadLetters: deadLetters.map(deadLetterView) } };
    },
  },
  {
    method: 'POST',
    path: '/dataflows/{id}/deadletters/{exportId}/replay',
    permission: 'manage-destinations',
    summary: 'Replays one dead letter: ExportReplayRequested in exports-<id>, DeadLetterReplayed in deadletters-<id>. 409 when it was replayed already.',
    handle: async (context) => {
      const parsedExportId = z.uuid({ error: 'must be an export id (a UUID)' }).safeParse(context.params['exportId']);
      if (!parsedExportId.success) throw invalidRequest(fieldIssues(parsedExportId.error, 'exportId'));
      const dataflow = await configuredDataflow(context.store, context.params['id']!);
      const found = (await readDeadLetters(context.store, { dataflowId: dataflow.dataflowId })).filter((deadLetter) => deadLetter.exportId === parsedExportId.data);
      if (found.length === 0) throw notFound(`a dead letter of export '${parsedExportId.data}' in dataflow '${dataflow.dataflowId}'`);
      const pending = found.filter((deadLetter) => deadLetter.replayed === undefined);
      if (pending.length === 0) throw new ApiError(409, 'already-replayed', `the dead letter of export '${parsedExportId.data}' was replayed already at ${found.at(-1)?.replayed?.replayedAt}`);
      return replay(context, pending);
    },
  },
  {
    method: 'POST',
    path: '/dataflows/{id}/deadletters/replay',
    permission: 'manage-destinations',
    summary:
      'Replays a selection of dead letters, those replayed already left alone: `exportIds`, filters (status, profile, since, until; every one given must match), or `all: true`.',
    requestBody: z.toJSONSchema(replaySelectionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    handle: async (context) => {
      const dataflow = await configuredDataflow(context.store, context.params['id']!);
      const body = await context.body();
      if (!isPlainObject(body)) throw invalidRequest([{ field: '(body)', reason: 'must be a JSON object' }]);
      const parsed = replaySelectionSchema.safeParse(body);
      if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error));
      const selection = parsed.data;
      const wanted = selection.exportIds === undefined ? undefined : new Set(selection.exportIds);
      const selected = (await readDeadLetters(context.store, filtersOf(dataflow.dataflowId, selection))).filter((deadLetter) => wanted === undefined || wanted.has(deadLetter.exportId));
      return replay(context, selected);
    },
  },
];
