import { alertingEventSchemas, alertingStreamName } from '@spillway/alert-rules';
import { defineEvents, deterministicEventId } from '@spillway/event-streams';
import { alertEventSchemas, alertStreamName } from '@spillway/pipeline-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataflowBody, destinationBody, startApiForTest, uniqueId, type ApiHarness } from '../testing/api-harness.ts';

let api: ApiHarness;
let key: string;
let audience: string;
beforeAll(async () => {
  api = await startApiForTest();
  key = await api.allPermissionsKey();
  audience = uniqueId('aud');
  await api.defineAudience(audience);
});
afterAll(() => api.close());

const alertingEvents = defineEvents(alertingEventSchemas);
const alertEvents = defineEvents(alertEventSchemas);

async function configuredDataflow(): Promise<string> {
  const destination = uniqueId('dest');
  await api.call('PUT', `/destinations/${destination}`, { key, body: destinationBody() });
  const dataflow = uniqueId('flow');
  await api.call('PUT', `/dataflows/${dataflow}`, { key, body: dataflowBody(destination, [audience]) });
  return dataflow;
}

describe('alert subscription routes', () => {
  it('PUT stores AlertSubscriptionConfigured with every default; GET reads it; DELETE writes AlertSubscriptionDeleted', async () => {
    const dataflow = await configuredDataflow();
    const body = { webhook: { url: 'https://ops.example.com/hooks/alerts', bearerToken: 'env:ALERT_TOKEN' }, rules: { failureRate: { threshold: 0.2 }, backfillStalled: { enabled: false } } };
    const created = await api.call('PUT', `/dataflows/${dataflow}/alerts`, { key, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      dataflowId: dataflow,
      webhook: { url: 'https://ops.example.com/hooks/alerts', bearerToken: 'env:ALERT_TOKEN', timeoutMs: 5000 },
      rules: {
        failureRate: { enabled: true, threshold: 0.2, windowSeconds: 300, minRequests: 20 },
        deadLettered: { enabled: true, quietSeconds: 900 },
        deliveryDelay: { enabled: true, thresholdSeconds: 60, windowSeconds: 300, minDeliveries: 10 },
        endpointUnreachable: { enabled: true },
        backfillStalled: { enabled: false, stalledSeconds: 300 },
      },
    });
    expect((await api.call('GET', `/dataflows/${dataflow}/alerts`, { key })).body).toEqual(created.body);
    expect((await api.call('PUT', `/dataflows/${dataflow}/alerts`, { key, body })).status).toBe(200);

    expect((await api.call('DELETE', `/dataflows/${dataflow}/alerts`, { key })).status).toBe(200);
    expect((await api.call('GET', `/dataflows/${dataflow}/alerts`, { key })).status).toBe(404);
    const written = await api.store.readStreamEvents(alertingStreamName(dataflow), alertingEvents);
    expect(written.map((stored) => stored.event.type)).toEqual(['AlertSubscriptionConfigured', 'AlertSubscriptionDeleted']);
  });

  it('refuses a secret in place of a reference, naming the field, and a dataflow that does not exist', async () => {
    const dataflow = await configuredDataflow();
    const refused = await api.call('PUT', `/dataflows/${dataflow}/alerts`, { key, body: { webhook: { url: 'https://ops.example.com/a', bearerToken: 'plain-secret' }, rules: { failureRate: { threshold: 2 } } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues.map((issue: { field: string }) => issue.field)).toEqual(['webhook.bearerToken', 'rules.failureRate.threshold']);
    expect(JSON.stringify(refused.body)).not.toContain('plain-secret');
    expect((await api.call('PUT', `/dataflows/${uniqueId('nowhere')}/alerts`, { key, body: { webhook: { url: 'https://ops.example.com/a' } } })).status).toBe(404);
  });

  it('GET /alerts/events lists the raised and resolved alerts, oldest first, and the open ones', async () => {
    const dataflow = await configuredDataflow();
    const [first, second] = [deterministicEventId('api-test', dataflow, 1), deterministicEventId('api-test', dataflow, 2)];
    const raised = (alertId: string, rule: 'dead-lettered' | 'endpoint-unreachable') => ({
      type: 'AlertRaised' as const,
      id: alertId,
      data: { alertId, dataflowId: dataflow, rule, summary: `${rule} happened`, observed: 1, threshold: 0, raisedAt: '2026-11-22T10:00:00.000Z' },
    });
    await api.store.appendEvents(alertStreamName(dataflow), alertEvents, [
      raised(first, 'dead-lettered'),
      raised(second, 'endpoint-unreachable'),
      { type: 'AlertResolved', data: { alertId: first, dataflowId: dataflow, rule: 'dead-lettered', summary: 'quiet again', raisedAt: '2026-11-22T10:00:00.000Z', resolvedAt: '2026-11-22T10:15:00.000Z' } },
    ]);
    const answer = await api.call('GET', `/dataflows/${dataflow}/alerts/events`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body.events.map((event: { type: string; rule: string }) => `${event.type} ${event.rule}`)).toEqual([
      'AlertRaised dead-lettered',
      'AlertRaised endpoint-unreachable',
      'AlertResolved dead-lettered',
    ]);
    expect(answer.body.open.map((event: { alertId: string }) => event.alertId)).toEqual([second]);
  });
});
