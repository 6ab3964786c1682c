import { defineEvents } from '@spillway/event-streams';
import { backfillEventSchemas, backfillStreamName } from '@spillway/pipeline-events';
import { startHttpReceiver, type HttpReceiver } from '@spillway/testing';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertTimeline, describeAlerts, onlyRules, storedAlerts, waitForWebhookAlert, webhookAlerts } from './harness/alerts.ts';
import { ingest, profileOf } from './harness/expectations.ts';
import { waitForPipeline } from './harness/settle.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

// backfill-stalled through the real stack: the decider paces the backfill (16 profiles/s, so a
// progress event every 2 s: one per batch of 32), is killed in the middle of it and kept down
// until the alert is raised, then started again: it resumes and the alert resolves.
const profileIds = Array.from({ length: 160 }, (_, index) => `history-${String(index).padStart(3, '0')}`);
const backfillEvents = defineEvents(backfillEventSchemas, { unknownTypes: 'ignore' });

let stack: Stack;
let webhook: HttpReceiver;
beforeAll(async () => {
  webhook = await startHttpReceiver();
  stack = await startStack({
    alertManager: true,
    env: { 'export-decider': { SPILLWAY_BACKFILL_RATE: '16' }, 'alert-manager': { ALERT_WEBHOOK_TOKEN: 'e2e-backfill-hook-token', SPILLWAY_ALERT_TICK_MS: '200' } },
  });
  await stack.apply(`
audiences:
  - { id: history-members, name: Members since before the dataflow, mergePolicy: mp-main }
`);
  for (const id of profileIds) await ingest(stack.client, ingestEvents.identitiesLinked(id, { crmid: [{ id }] }), ingestEvents.membershipChanged(id, 'history-members', 'realized', '2024-05-01T09:00:00Z'));
  await waitForPipeline(stack.client, { profileIds, dataflowIds: [] }, 60_000);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await webhook?.close();
});

const backfillTypes = async (dataflowId = 'flow-history') => (await stack.client.readStreamEvents(backfillStreamName(dataflowId), backfillEvents)).map((stored) => stored.event.type);

describe('backfill-stalled at the subscribed webhook', () => {
  it('raised while the decider is down in the middle of a backfill, resolved once the restarted decider makes progress', async () => {
    await stack.apply(`
destinations:
  - { id: history-receiver, name: History receiver, endpoint: "${stack.receiver.url}/history" }
dataflows:
  - { id: flow-history, destination: history-receiver, audiences: [history-members], attributes: [person.name.firstName] }
alerts:
  - dataflow: flow-history
    webhook: { url: "${webhook.url}/hooks", bearerToken: "env:ALERT_WEBHOOK_TOKEN" }
    rules: ${onlyRules({ backfillStalled: '{ stalledSeconds: 6 }', deliveryDelay: '{ thresholdSeconds: 5, windowSeconds: 60, minDeliveries: 5 }', deadLettered: '{}' })}
`);
    await waitUntil(async () => (await backfillTypes()).includes('BackfillProgress'), 'the backfill to make progress', 30_000);
    expect(await backfillTypes()).not.toContain('BackfillCompleted');

    let raised: Awaited<ReturnType<typeof waitForWebhookAlert>> | undefined;
    await stack.restart('export-decider', 'SIGKILL', async () => {
      raised = await waitForWebhookAlert(webhook, 'flow-history', 'AlertRaised', 'backfill-stalled', 30_000);
    });
    expect(raised?.alert.summary).toMatch(/^backfill \S+ \(partition \S+\) made no progress for \d+ s$/);
    expect(raised?.alert['threshold']).toBe(6);

    const resolved = await waitForWebhookAlert(webhook, 'flow-history', 'AlertResolved', 'backfill-stalled', 45_000);
    expect(resolved.alert.alertId).toBe(raised?.alert.alertId);
    expect(resolved.alert.summary).toBe('no backfill is stalled');

    await waitUntil(async () => (await backfillTypes()).includes('BackfillCompleted'), 'the backfill to complete', 45_000);
    await waitUntil(() => new Set(stack.receiver.requests.map(profileOf)).size === profileIds.length, 'every profile exported by the backfill', 30_000);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-history'))).toEqual(['AlertRaised backfill-stalled', 'AlertResolved backfill-stalled']);
    expect(await storedAlerts(stack.client, 'flow-history')).toEqual(['AlertRaised backfill-stalled', 'AlertResolved backfill-stalled']);
  }, 90_000);

  it('counts no historical profile exported by the backfill as delivery delay, however long ago it was ingested', async () => {
    // A barrier the manager can only reach after every delivery above: a live export refused with a
    // 400 is dead-lettered, and the webhook receives that raise.
    stack.receiver.setResponder((request) => (profileOf(request) === 'barrier' ? { status: 400 } : { status: 200 }));
    await ingest(stack.client, ingestEvents.identitiesLinked('barrier', { crmid: [{ id: 'barrier' }] }), ingestEvents.membershipChanged('barrier', 'history-members', 'realized', '2024-05-01T09:00:00Z'));
    await waitForWebhookAlert(webhook, 'flow-history', 'AlertRaised', 'dead-lettered', 45_000);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-history'))).toEqual(['AlertRaised backfill-stalled', 'AlertResolved backfill-stalled', 'AlertRaised dead-lettered']);
    console.info(`alerts at the webhook:\n${describeAlerts(webhookAlerts(webhook, 'flow-history'), webhook.requests[0]?.receivedAt ?? 0)}`);
  }, 60_000);

  it('raised for a backfill that had already stalled when the subscription was written, resolved once the decider is back', async () => {
    await stack.apply(`
destinations:
  - { id: late-receiver, name: Receiver of a dataflow subscribed late, endpoint: "${stack.receiver.url}/late" }
dataflows:
  - { id: flow-late, destination: late-receiver, audiences: [history-members], attributes: [person.name.firstName] }
`);
    await waitUntil(async () => (await backfillTypes('flow-late')).includes('BackfillProgress'), 'the backfill to make progress', 30_000);
    let raised: Awaited<ReturnType<typeof waitForWebhookAlert>> | undefined;
    await stack.restart('export-decider', 'SIGKILL', async () => {
      await stack.apply(`
alerts:
  - dataflow: flow-late
    webhook: { url: "${webhook.url}/hooks", bearerToken: "env:ALERT_WEBHOOK_TOKEN" }
    rules: ${onlyRules({ backfillStalled: '{ stalledSeconds: 6 }' })}
`);
      raised = await waitForWebhookAlert(webhook, 'flow-late', 'AlertRaised', 'backfill-stalled', 30_000);
    });
    expect(raised?.alert.summary).toMatch(/^backfill \S+ \(partition \S+\) made no progress for \d+ s$/);
    const resolved = await waitForWebhookAlert(webhook, 'flow-late', 'AlertResolved', 'backfill-stalled', 45_000);
    expect(resolved.alert.alertId).toBe(raised?.alert.alertId);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-late'))).toEqual(['AlertRaised backfill-stalled', 'AlertResolved backfill-stalled']);
  }, 90_000);
});
