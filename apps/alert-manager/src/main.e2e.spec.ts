import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { startHttpReceiver, startService, startStoreProcess, type HttpReceiver, type ServiceProcess, type StoreProcess } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline, readAlerts, readNotifications, uniqueId, waitFor } from './test-setup/fixtures.ts';

const token = 'e2e-alert-token-90c1d7';

describe('alert-manager process', () => {
  let storeProcess: StoreProcess;
  let store: EventStore;
  let receiver: HttpReceiver;
  const services: ServiceProcess[] = [];
  beforeAll(async () => {
    // Its own store: the manager reads $all from the start, and the int tests' subscriptions point to closed receivers.
    storeProcess = await startStoreProcess({ inMemory: true });
    store = await connectEventStore(storeProcess.connectionString, { logger: createLogger({ service: 'test', write: () => {} }) });
    let answered = 0;
    receiver = await startHttpReceiver({ respond: () => (answered++ === 0 ? { status: 500 } : { status: 200 }) });
  });
  afterAll(async () => {
    for (const service of services) await service.kill().catch(() => undefined);
    await receiver?.close();
    await store?.close();
    await storeProcess?.stop();
  });

  const start = async () => {
    const service = await startService('alert-manager', { EVENTSTORE_CONNECTION_STRING: storeProcess.connectionString, ALERT_TOKEN: token, SPILLWAY_ALERT_TICK_MS: '100' });
    services.push(service);
    return service;
  };
  const alertsSent = (count: number) => waitFor(() => (receiver.requests.length >= count ? receiver.requests.slice(0, count) : undefined), `${count} webhook requests`, 30_000);

  it('raises, retries the webhook, stops cleanly, and after a restart does not raise the open alert again', async () => {
    const dataflowId = uniqueId('df');
    const flow = pipeline(store, dataflowId, uniqueId('dest'));
    await flow.configureDataflow();
    await flow.subscribe({ webhook: { url: `${receiver.url}/alerts`, bearerToken: 'env:ALERT_TOKEN' } });
    await flow.deadLettered();

    const first = await start();
    const [failedAttempt, delivered] = await alertsSent(2);
    expect(failedAttempt?.headers['x-export-id']).toBe(delivered?.headers['x-export-id']);
    expect(delivered?.headers['authorization']).toBe(`Bearer ${token}`);
    expect(delivered?.body).toMatchObject({ type: 'AlertRaised', alert: { dataflowId, rule: 'dead-lettered', summary: 'an export was dead-lettered: HTTP 400 (not retryable)' } });
    await waitFor(async () => ((await readNotifications(store, dataflowId)).length === 1 ? true : undefined), 'the notification outcome');
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(first.logs().some((entry) => entry.message === 'stopped')).toBe(true);

    // While it is down: another dead letter (the alert is still raised), then the circuit opens.
    await flow.deadLettered();
    await flow.circuitOpened();
    const second = await start();
    await alertsSent(3);
    const alerts = await readAlerts(store, dataflowId);
    expect(alerts.map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised dead-lettered', 'AlertRaised endpoint-unreachable']);
    expect(receiver.requests.map((request) => (request.body as { alert: { rule: string } }).alert.rule)).toEqual(['dead-lettered', 'dead-lettered', 'endpoint-unreachable']);
    await second.stop();

    const logs = [...first.logs(), ...second.logs()].map((entry) => JSON.stringify(entry)).join('\n');
    expect(logs).toContain('"message":"alert notified"');
    expect(logs).not.toContain(token);
  });
});
