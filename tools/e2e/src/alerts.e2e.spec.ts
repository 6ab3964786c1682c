import { circuitEventSchemas, circuitStreamName, deliveriesStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { defineEvents } from '@spillway/event-streams';
import { startFaultyReceiver, startHttpReceiver, noFaults, type FaultyReceiver, type HttpReceiver } from '@spillway/testing';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertTimeline, describeAlerts, onlyRules, storedAlerts, waitForWebhookAlert, webhookAlerts } from './harness/alerts.ts';
import { ingest, profileOf } from './harness/expectations.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

// The user's view of alerting: the whole pipeline and the alert manager as real processes, each
// dataflow subscribed with `spillway apply` (short windows so the test stays short), the alerts
// read where a user reads them: at their webhook, a real HTTP server on loopback.
const webhookToken = 'e2e-alert-webhook-token-3c9e71';
// Webhook paths often carry a token: the manager logs the origin only.
const webhookPathToken = 'hook-path-secret-8a2f';

let stack: Stack;
let webhook: HttpReceiver;
let faulty: FaultyReceiver;
/** Where the unreachable destinations point; nothing listens there (until the first test starts a receiver on `downPort`). */
let downPort: number;
let deadPort: number;
let revived: HttpReceiver | undefined;

beforeAll(async () => {
  webhook = await startHttpReceiver();
  faulty = await startFaultyReceiver({ seed: 7, rates: { serverError: 0.9 } });
  const probes = await Promise.all([startHttpReceiver(), startHttpReceiver()]);
  [downPort, deadPort] = probes.map((probe) => probe.port) as [number, number];
  await Promise.all(probes.map((probe) => probe.close()));
  stack = await startStack({ alertManager: true, env: { 'alert-manager': { ALERT_WEBHOOK_TOKEN: webhookToken, SPILLWAY_ALERT_TICK_MS: '200' } } });
  const subscribe = (dataflow: string, rules: string) => `
  - dataflow: ${dataflow}
    webhook: { url: "${webhook.url}/hooks/${webhookPathToken}", bearerToken: "env:ALERT_WEBHOOK_TOKEN" }
    rules: ${rules}`;
  await stack.apply(`
audiences:
  - { id: unreachable-members, name: Unreachable members, mergePolicy: mp-main }
  - { id: moved-members, name: Members of a dataflow moved to another destination, mergePolicy: mp-main }
  - { id: failing-members, name: Failing members, mergePolicy: mp-main }
  - { id: slow-members, name: Slow members, mergePolicy: mp-main }
destinations:
  - id: down-receiver
    name: A receiver that is not running
    endpoint: "http://127.0.0.1:${downPort}/exports"
    retry: { attempts: 20, baseDelayMs: 200, maxDelayMs: 1000 }
    circuit: { openAfterSeconds: 2, probeEverySeconds: 1 }
  - id: dead-receiver
    name: Another receiver that is not running
    endpoint: "http://127.0.0.1:${deadPort}/exports"
    retry: { attempts: 20, baseDelayMs: 200, maxDelayMs: 1000 }
    circuit: { openAfterSeconds: 2, probeEverySeconds: 1 }
  - { id: moved-receiver, name: The receiver a dataflow is moved to, endpoint: "${stack.receiver.url}/moved" }
  - id: failing-receiver
    name: A receiver answering 500 to most requests
    endpoint: "${faulty.url}/exports"
    retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 }
    circuit: { enabled: false }
  - id: slow-receiver
    name: A receiver answering slowly
    endpoint: "${stack.receiver.url}/slow"
    timeoutMs: 10000
dataflows:
  - { id: flow-unreachable, destination: down-receiver, audiences: [unreachable-members], attributes: [person.name.firstName] }
  - { id: flow-moved, destination: dead-receiver, audiences: [moved-members], attributes: [person.name.firstName] }
  - { id: flow-failing, destination: failing-receiver, audiences: [failing-members], attributes: [person.name.firstName] }
  - { id: flow-slow, destination: slow-receiver, audiences: [slow-members], attributes: [person.name.firstName] }
alerts:${subscribe('flow-unreachable', onlyRules({ endpointUnreachable: '{ enabled: true }' }))}${subscribe('flow-moved', onlyRules({ endpointUnreachable: '{ enabled: true }' }))}${subscribe(
    'flow-failing',
    onlyRules({ failureRate: '{ threshold: 0.5, windowSeconds: 10, minRequests: 10 }', deadLettered: '{ quietSeconds: 10 }' }),
  )}${subscribe('flow-slow', onlyRules({ deliveryDelay: '{ thresholdSeconds: 2, windowSeconds: 15, minDeliveries: 5 }' }))}
`);
}, 90_000);

afterAll(async () => {
  const exits = await stack?.stop();
  await Promise.all([webhook?.close(), faulty?.close(), revived?.close()]);
  expect(exits?.['alert-manager']).toEqual({ code: 0, signal: null });
});

const attemptEvents = defineEvents({ ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed }, { unknownTypes: 'ignore' });
const circuitCatalog = defineEvents(circuitEventSchemas, { unknownTypes: 'ignore' });
const circuitEvents = async (destinationId: string) => (await stack.client.readStreamEvents(circuitStreamName(destinationId), circuitCatalog)).map((stored) => stored.event.type);
const failedAttempts = async (dataflowId: string) => (await stack.client.readStreamEvents(deliveriesStreamName(dataflowId), attemptEvents)).length;

async function qualify(audienceId: string, profileIds: readonly string[]): Promise<void> {
  for (const id of profileIds) await ingest(stack.client, ingestEvents.identitiesLinked(id, { crmid: [{ id }] }), ingestEvents.membershipChanged(id, audienceId, 'realized', '2024-05-01T09:00:00Z'));
}
const profiles = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${String(index).padStart(2, '0')}`);

describe('alerts at the subscribed webhook', () => {
  it('endpoint-unreachable: raised once when the circuit of a refused endpoint opens, resolved once when the endpoint is back on its port (the alert manager crashed meanwhile)', async () => {
    await qualify('unreachable-members', profiles('down', 5));
    const raised = await waitForWebhookAlert(webhook, 'flow-unreachable', 'AlertRaised', 'endpoint-unreachable', 45_000);
    expect(raised.alert.summary).toMatch(/^the endpoint is unreachable \(circuit open after \d+ failed requests; last: .*ECONNREFUSED.*\)$/);
    expect(raised.request.headers['authorization']).toBe(`Bearer ${webhookToken}`);
    expect(raised.request.path).toBe(`/hooks/${webhookPathToken}`);

    // Not repeated while raised: the agent keeps probing (each a failed attempt) and nothing more is sent.
    const attemptsAtRaise = await failedAttempts('flow-unreachable');
    await waitUntil(async () => (await failedAttempts('flow-unreachable')) >= attemptsAtRaise + 3, '3 failed probes after the raise', 30_000);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-unreachable'))).toEqual(['AlertRaised endpoint-unreachable']);

    // The alert manager crashes, and the endpoint comes back while it is down: after its restart the
    // raise is not sent again and the resolution is sent once.
    await stack.restart('alert-manager', 'SIGKILL', async () => {
      revived = await startHttpReceiver({ port: downPort });
      await waitUntil(async () => (await circuitEvents('down-receiver')).includes('CircuitClosed'), 'the circuit to close', 30_000);
    });
    const resolved = await waitForWebhookAlert(webhook, 'flow-unreachable', 'AlertResolved', 'endpoint-unreachable', 30_000);
    expect(resolved.alert.alertId).toBe(raised.alert.alertId);
    expect(resolved.alert.summary).toBe('the endpoint answers again (circuit closed)');
    await waitUntil(() => new Set(revived!.requests.map(profileOf)).size === 5, 'the 5 waiting exports delivered', 30_000);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-unreachable'))).toEqual(['AlertRaised endpoint-unreachable', 'AlertResolved endpoint-unreachable']);
    expect(await storedAlerts(stack.client, 'flow-unreachable')).toEqual(['AlertRaised endpoint-unreachable', 'AlertResolved endpoint-unreachable']);
  }, 90_000);

  it('endpoint-unreachable: resolved when the dataflow is moved to a destination that answers', async () => {
    await qualify('moved-members', profiles('moved', 3));
    const raised = await waitForWebhookAlert(webhook, 'flow-moved', 'AlertRaised', 'endpoint-unreachable', 45_000);
    await stack.apply(`
dataflows:
  - { id: flow-moved, destination: moved-receiver, audiences: [moved-members], attributes: [person.name.firstName] }
`);
    const resolved = await waitForWebhookAlert(webhook, 'flow-moved', 'AlertResolved', 'endpoint-unreachable', 30_000);
    expect(resolved.alert.alertId).toBe(raised.alert.alertId);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-moved'))).toEqual(['AlertRaised endpoint-unreachable', 'AlertResolved endpoint-unreachable']);
  }, 90_000);

  it('failure-rate and dead-lettered: raised while the endpoint answers 500 to most requests, resolved after it heals (failure rate once at most half the requests in its 10 s window failed, dead letters after 10 quiet seconds)', async () => {
    await qualify('failing-members', profiles('failing', 20));
    const raisedRate = await waitForWebhookAlert(webhook, 'flow-failing', 'AlertRaised', 'failure-rate', 45_000);
    const raisedDead = await waitForWebhookAlert(webhook, 'flow-failing', 'AlertRaised', 'dead-lettered', 45_000);
    expect(raisedRate.alert.summary).toMatch(/^failure rate [\d.]+ \(\d+ of \d+ requests\) over the last 10 s is above 0.5$/);
    expect(raisedDead.alert.summary).toMatch(/^an export was dead-lettered: .*HTTP 500/);

    faulty.setRates(noFaults);
    await qualify('failing-members', profiles('healed', 10));
    const resolvedRate = await waitForWebhookAlert(webhook, 'flow-failing', 'AlertResolved', 'failure-rate', 45_000);
    const resolvedDead = await waitForWebhookAlert(webhook, 'flow-failing', 'AlertResolved', 'dead-lettered', 45_000);
    expect(resolvedRate.alert.alertId).toBe(raisedRate.alert.alertId);
    expect(resolvedRate.alert.summary).toMatch(/ over the last 10 s is at or under 0.5$/);
    expect(resolvedDead.alert.alertId).toBe(raisedDead.alert.alertId);
    expect(resolvedDead.alert.summary).toBe('no export dead-lettered in the last 10 s');
    expect(faulty.accepted().filter((record) => record.profileId.startsWith('healed')).length).toBeGreaterThanOrEqual(10);

    const timeline = alertTimeline(webhookAlerts(webhook, 'flow-failing'));
    expect(timeline.filter((entry) => entry.endsWith('failure-rate'))).toEqual(['AlertRaised failure-rate', 'AlertResolved failure-rate']);
    expect(timeline.filter((entry) => entry.endsWith('dead-lettered'))).toEqual(['AlertRaised dead-lettered', 'AlertResolved dead-lettered']);
    expect((await storedAlerts(stack.client, 'flow-failing')).sort()).toEqual([...timeline].sort());
  }, 90_000);

  it('delivery-delay: raised while the endpoint answers in 3 s, resolved once deliveries are fast again', async () => {
    stack.receiver.setResponder(() => ({ status: 200, delayMs: 3_000 }));
    await qualify('slow-members', profiles('slow', 10));
    const raised = await waitForWebhookAlert(webhook, 'flow-slow', 'AlertRaised', 'delivery-delay', 45_000);
    expect(raised.alert.summary).toMatch(/^p95 delivery delay [\d.]+ s \(\d+ deliveries\) over the last 15 s is above 2 s$/);
    expect(raised.alert['observed']).toBeGreaterThan(2);

    stack.receiver.setResponder(() => ({ status: 200 }));
    // Traffic goes on, fast now: a profile qualifies every 500 ms until the resolution arrives.
    let fast = 0;
    let resolving = true;
    const traffic = (async () => {
      while (resolving) {
        await qualify('slow-members', [`fast-${String(fast++).padStart(3, '0')}`]);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const resolved = await waitForWebhookAlert(webhook, 'flow-slow', 'AlertResolved', 'delivery-delay', 45_000).finally(() => (resolving = false));
    await traffic;
    expect(resolved.alert.alertId).toBe(raised.alert.alertId);
    // Resolved once the slow deliveries left the window, by the fast ones still in it.
    expect(resolved.alert.summary).toMatch(/^p95 delivery delay [\d.]+ s \(\d+ deliveries\) over the last 15 s is at or under 2 s$/);
    expect(alertTimeline(webhookAlerts(webhook, 'flow-slow'))).toEqual(['AlertRaised delivery-delay', 'AlertResolved delivery-delay']);
  }, 90_000);

  it('keeps the webhook secret out of the alert manager logs, and logs no error', () => {
    const logs = stack.logsOf('alert-manager').map((entry) => JSON.stringify(entry)).join('\n');
    expect(logs).toContain('"message":"alert notified"');
    expect(logs).not.toContain(webhookToken);
    expect(logs).not.toContain(webhookPathToken);
    expect(webhook.requests.every((request) => request.headers['authorization'] === `Bearer ${webhookToken}`)).toBe(true);
    expect(stack.errorLogs()).toEqual([]);
    const since = webhook.requests[0]?.receivedAt ?? 0;
    console.info(`alerts at the webhook:\n${['flow-unreachable', 'flow-moved', 'flow-failing', 'flow-slow'].map((dataflowId) => describeAlerts(webhookAlerts(webhook, dataflowId), since)).join('\n')}`);
  });
});
