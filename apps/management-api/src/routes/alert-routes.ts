import { alertingEventSchemas, alertingStreamName, alertSubscriptionSchema, type AlertSubscription } from '@spillway/alert-rules';
import { defineEvents, readCurrent, type EventStore } from '@spillway/event-streams';
import { alertEventSchemas, alertStreamName } from '@spillway/pipeline-events';
import { isPlainObject } from '@spillway/xdm';
import { z } from 'zod';
import { fieldIssues, invalidRequest, notFound } from '../http/api-errors.ts';
import { currentDataflow, guardConcurrentWrite, sameData } from '../store/config-state.ts';
import { parsePathId } from './config-bodies.ts';
import type { Route } from './route.ts';

const alertingEvents = defineEvents(alertingEventSchemas, { unknownTypes: 'ignore' });
const alertEvents = defineEvents(alertEventSchemas, { unknownTypes: 'ignore' });

/** The subscription body: the `alerting-<id>` event data without the id (it comes from the path). */
const { dataflowId: _id, ...bodyProperties } = (z.toJSONSchema(alertSubscriptionSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> }).properties;
const subscriptionBodyJsonSchema = { type: 'object', properties: bodyProperties, required: ['webhook'], additionalProperties: false };

async function currentSubscription(store: EventStore, id: string) {
  const { latest, revision } = await readCurrent(store, alertingStreamName(id), alertingEvents);
  return { data: latest?.event.type === 'AlertSubscriptionConfigured' ? latest.event.data : undefined, expectedRevision: revision };
}

function subscriptionFromBody(id: string, body: unknown): AlertSubscription {
  if (!isPlainObject(body)) throw invalidRequest([{ field: '(body)', reason: 'must be a JSON object' }]);
  if (body['dataflowId'] !== undefined && body['dataflowId'] !== id) throw invalidRequest([{ field: 'dataflowId', reason: `must be '${id}' (the id in the path) or left out` }]);
  const parsed = alertSubscriptionSchema.safeParse({ ...body, dataflowId: id });
  if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error));
  return parsed.data;
}

/** docs/alerts.md: a dataflow's alert subscription, and the alerts raised and resolved. */
export const alertRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/dataflows/{id}/alerts',
    permission: 'view-destinations',
    summary: "Reads the dataflow's alert subscription (webhook, log sink, rules with every default filled in). Secrets appear only as their env:/file: references.",
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const { data } = await currentSubscription(store, id);
      if (!data) throw notFound(`alert subscription of dataflow '${id}'`);
      return { status: 200, body: data };
    },
  },
  {
    method: 'PUT',
    path: '/dataflows/{id}/alerts',
    permission: 'manage-destinations',
    summary: 'Creates or replaces the alert subscription of a configured dataflow (writes AlertSubscriptionConfigured to alerting-<id>).',
    requestBody: subscriptionBodyJsonSchema,
    handle: async ({ store, params, body }) => {
      const id = parsePathId(params['id']!);
      const subscription = subscriptionFromBody(id, await body());
      if (!(await currentDataflow(store, id)).data) throw notFound(`dataflow '${id}'`);
      const current = await currentSubscription(store, id);
      if (current.data && sameData(current.data, subscription)) return { status: 200, body: subscription };
      await guardConcurrentWrite(() =>
        store.appendEvents(alertingStreamName(id), alertingEvents, [{ type: 'AlertSubscriptionConfigured', data: subscription }], { expectedRevision: current.expectedRevision }),
      );
      return { status: current.data ? 200 : 201, body: subscription };
    },
  },
  {
    method: 'DELETE',
    path: '/dataflows/{id}/alerts',
    permission: 'manage-destinations',
    summary: "Turns the dataflow's alerting off (writes AlertSubscriptionDeleted): its open alerts are resolved, nothing more is sent.",
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const current = await currentSubscription(store, id);
      if (!current.data) throw notFound(`alert subscription of dataflow '${id}'`);
      await guardConcurrentWrite(() =>
        store.appendEvents(alertingStreamName(id), alertingEvents, [{ type: 'AlertSubscriptionDeleted', data: { dataflowId: id } }], { expectedRevision: current.expectedRevision }),
      );
      return { status: 200, body: { deleted: id } };
    },
  },
  {
    method: 'GET',
    path: '/dataflows/{id}/alerts/events',
    permission: 'view-destinations',
    summary: 'The alerts raised and resolved for the dataflow (alerts-<id>, oldest first), and the ones still open.',
    handle: async ({ store, params }) => {
      const id = parsePathId(params['id']!);
      const stored = await store.readStreamEvents(alertStreamName(id), alertEvents);
      const events = stored.map((event) => ({ type: event.event.type, eventId: event.eventId, ...event.event.data }));
      const resolved = new Set(events.flatMap((event) => (event.type === 'AlertResolved' ? [event.alertId] : [])));
      const open = events.filter((event) => event.type === 'AlertRaised' && !resolved.has(event.alertId));
      return { status: 200, body: { dataflowId: id, open, events } };
    },
  },
];
