import type { EventStore } from '@spillway/event-streams';
import { readDataflowCounts } from '@spillway/dataflow-status';
import { backfillStreamName, summarizeBackfills } from '@spillway/pipeline-events';
import { dataflowStreamName, publicEvent, type DataflowConfig } from '@spillway/xdm';
import { invalidRequest, notFound, type FieldIssue } from '../http/api-errors.ts';
import { backfillEvents, dataflowEvents } from '../store/catalogs.ts';
import { audienceDefinition, currentDataflow, currentDestination, guardConcurrentWrite, listDataflows, sameData } from '../store/config-state.ts';
import { dataflowBodyJsonSchema, dataflowFromBody, parsePathId } from './config-bodies.ts';
import type { Route } from './route.ts';

/** Consent evaluation (product.md section 12) is off unless the dataflow says `consent: true`. */
const withConsent = (dataflow: DataflowConfig) => ({ ...dataflow, consent: dataflow.consent ?? false });

export const dataflowRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/dataflows',
    permission: 'view-destinations',
    summary: 'Lists the configured dataflows.',
    handle: async ({ store }) => ({ status: 200, body: { dataflows: (await listDataflows(store)).map(withConsent) } }),
  },
  {
    method: 'GET',
    path: '/dataflows/{id}',
    permission: 'view-destinations',
    summary: 'Reads one dataflow.',
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const { data } = await currentDataflow(store, id);
      if (!data) throw notFound(`dataflow '${id}'`);
      return { status: 200, body: withConsent(data) };
    },
  },
  {
    method: 'PUT',
    path: '/dataflows/{id}',
    permission: 'activate-destinations',
    summary: 'Creates or replaces a dataflow: the audiences and attributes activated to a destination, and whether consent is evaluated.',
    requestBody: dataflowBodyJsonSchema,
    handle: async ({ store, params, body }) => {
      const id = parsePathId(params['id']!);
      const config = dataflowFromBody(id, await body());
      await checkReferences(store, config);
      const current = await currentDataflow(store, id);
      if (current.data && sameData(current.data, config)) return { status: 200, body: withConsent(config) };
      await guardConcurrentWrite(() =>
        store.appendEvents(dataflowStreamName(id), dataflowEvents, [publicEvent('DataflowConfigured', config)], { expectedRevision: current.expectedRevision }),
      );
      return { status: current.data ? 200 : 201, body: withConsent(config) };
    },
  },
  {
    method: 'DELETE',
    path: '/dataflows/{id}',
    permission: 'activate-destinations',
    summary: 'Deletes a dataflow (writes DataflowDeleted): its profiles are no longer exported.',
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const current = await currentDataflow(store, id);
      if (!current.data) throw notFound(`dataflow '${id}'`);
      await guardConcurrentWrite(() =>
        store.appendEvents(dataflowStreamName(id), dataflowEvents, [publicEvent('DataflowDeleted', { dataflowId: id })], { expectedRevision: current.expectedRevision }),
      );
      return { status: 200, body: { deleted: id } };
    },
  },
  {
    method: 'GET',
    path: '/dataflows/{id}/status',
    permission: 'view-destinations',
    summary:
      "A dataflow's counts (received, exported, delivered, failed) and delivered latency p50/p95, read from the log as `spillway dataflows show` does, and its backfills' progress per partition (backfill-<id>).",
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const { data } = await currentDataflow(store, id);
      if (!data) throw notFound(`dataflow '${id}'`);
      const [counts, backfillEventsRead] = await Promise.all([readDataflowCounts(store, id), store.readStreamEvents(backfillStreamName(id), backfillEvents)]);
      const backfills = summarizeBackfills(backfillEventsRead.map((stored) => stored.event));
      return { status: 200, body: { dataflowId: id, enabled: data.enabled, consent: data.consent ?? false, counts, backfills } };
    },
  },
];

/** The destination is configured and every audience is defined: a dataflow pointing nowhere is refused, not stored. */
async function checkReferences(store: EventStore, config: DataflowConfig): Promise<void> {
  const issues: FieldIssue[] = [];
  if (!(await currentDestination(store, config.destinationId)).data) {
    issues.push({ field: 'destinationId', reason: `destination '${config.destinationId}' is not configured (PUT /destinations/${config.destinationId} first)` });
  }
  for (const [index, mapping] of config.audiences.entries()) {
    if (!(await audienceDefinition(store, mapping.audienceId))) {
      issues.push({ field: `audiences[${index}].audienceId`, reason: `audience '${mapping.audienceId}' is not defined (no AudienceDefined in audience-${mapping.audienceId})` });
    }
  }
  if (issues.length > 0) throw invalidRequest(issues);
}
