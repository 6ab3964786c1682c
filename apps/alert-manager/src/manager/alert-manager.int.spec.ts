import { randomUUID } from 'node:crypto';
import { startHttpReceiver, type HttpReceiver } from '@spillway/testing';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, connectForTest, pipeline, readAlerts, readNotifications, startTestManager, subscribedDataflow, uniqueId, waitFor } from '../test-setup/fixtures.ts';
import type { AlertManager, AlertManagerOptions } from './run-alert-manager.ts';

describe('alert manager against the real store: every rule raises once and resolves', () => {
  const log = captureLogger();
  let store: EventStore;
  let webhook: HttpReceiver;
  const running: AlertManager[] = [];
  beforeAll(async () => {
    store = await connectForTest(log.logger);
    webhook = await startHttpReceiver();
  });
  afterEach(async () => {
    for (const manager of running.splice(0)) await manager.stop();
  });
  afterAll(async () => {
    await webhook.close();
    await store.close();
  });

  const start = (overrides: Partial<AlertManagerOptions> = {}): AlertManager =>
    startTestManager(running, { store, logger: log.logger, retry: { attempts: 3, baseDelayMs: 10 }, ...overrides });
  const setup = (rules: Record<string, unknown> = {}) => subscribedDataflow(store, (dataflowId) => ({ webhook: { url: `${webhook.url}/alerts/${dataflowId}` }, rules }));
  const alertsOf = (dataflowId: string, count: number) =>
    waitFor(async () => {
      const alerts = await readAlerts(store, dataflowId);
      return alerts.length >= count ? alerts : undefined;
    }, `${count} alert events of ${dataflowId}`);
  const webhookCallsOf = (dataflowId: string) => webhook.requests.filter((request) => request.path === `/alerts/${dataflowId}`);

  it('failure-rate: raised once by 3 failures in 20 requests, resolved when successes bring the ratio down', async () => {
    const { dataflowId, flow } = await setup();
    start();
    for (let i = 0; i < 20; i++) await (i < 3 ? flow.attemptFailed() : flow.delivered());
    await flow.attemptFailed(); // more failures while raised: no second alert
    const [raised] = await alertsOf(dataflowId, 1);
    expect(raised).toMatchObject({ type: 'AlertRaised', rule: 'failure-rate', dataflowId, threshold: 0.1 });
    for (let i = 0; i < 20; i++) await flow.delivered();
    const alerts = await alertsOf(dataflowId, 2);
    expect(alerts.map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised failure-rate', 'AlertResolved failure-rate']);
    expect(alerts[1]).toMatchObject({ alertId: raised?.alertId, raisedAt: raised?.raisedAt });
  });

  it('failure-rate after the manager was down: failures it reads an hour late raise at the time they happened, and resolve on its clock once it has caught up', async () => {
    const { dataflowId, flow } = await setup();
    for (let i = 0; i < 20; i++) await (i < 3 ? flow.attemptFailed() : flow.delivered());
    const appendedBy = Date.now();
    start({ now: () => new Date(Date.now() + 3_600_000) });
    const alerts = await alertsOf(dataflowId, 2);
    expect(alerts.map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised failure-rate', 'AlertResolved failure-rate']);
    expect(Date.parse(String(alerts[0]?.['raisedAt']))).toBeLessThanOrEqual(appendedBy);
    expect(Date.parse(String(alerts[1]?.['resolvedAt']))).toBeGreaterThan(appendedBy + 3_000_000);
  });

  it('dead-lettered: raised by a dead letter, not again for the next, resolved after the quiet period', async () => {
    const { dataflowId, flow } = await setup({ deadLettered: { quietSeconds: 2 } });
    start();
    await flow.deadLettered();
    await alertsOf(dataflowId, 1);
    await flow.deadLettered();
    const alerts = await alertsOf(dataflowId, 2);
    expect(alerts.map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised dead-lettered', 'AlertResolved dead-lettered']);
    expect(Date.parse(String(alerts[1]?.['resolvedAt'])) - Date.parse(String(alerts[0]?.['raisedAt']))).toBeGreaterThanOrEqual(2000);
  });

  it('delivery-delay: raised by slow deliveries (p95 over 60 s), resolved by fast ones', async () => {
    const { dataflowId, flow } = await setup();
    start();
    for (let i = 0; i < 10; i++) await flow.delivered(90_000);
    const [raised] = await alertsOf(dataflowId, 1);
    expect(raised).toMatchObject({ type: 'AlertRaised', rule: 'delivery-delay', threshold: 60 });
    expect(raised?.['observed']).toBeGreaterThanOrEqual(90);
    for (let i = 0; i < 200; i++) await flow.delivered(100);
    expect((await alertsOf(dataflowId, 2)).map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised delivery-delay', 'AlertResolved delivery-delay']);
  });

  it("endpoint-unreachable: raised while the dataflow's destination circuit is open, resolved when it closes", async () => {
    const { dataflowId, flow } = await setup();
    start();
    const openedAt = new Date().toISOString();
    await flow.circuitOpened(openedAt);
    const [raised] = await alertsOf(dataflowId, 1);
    expect(raised).toMatchObject({ type: 'AlertRaised', rule: 'endpoint-unreachable', observed: 7 });
    await flow.circuitClosed(openedAt);
    expect((await alertsOf(dataflowId, 2)).map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised endpoint-unreachable', 'AlertResolved endpoint-unreachable']);
  });

  it('backfill-stalled: raised when a running backfill shows no progress, resolved when it completes', async () => {
    const { dataflowId, flow } = await setup({ backfillStalled: { stalledSeconds: 1 } });
    start();
    const backfillId = randomUUID();
    await flow.backfillStarted(backfillId);
    const [raised] = await alertsOf(dataflowId, 1);
    expect(raised).toMatchObject({ type: 'AlertRaised', rule: 'backfill-stalled', threshold: 1 });
    await flow.backfillCompleted(backfillId);
    expect((await alertsOf(dataflowId, 2)).map((alert) => `${alert.type} ${alert.rule}`)).toEqual(['AlertRaised backfill-stalled', 'AlertResolved backfill-stalled']);
  });

  it('tells the webhook of each raise and resolution once, and records each outcome', async () => {
    const { dataflowId, flow } = await setup();
    start();
    const openedAt = new Date().toISOString();
    await flow.circuitOpened(openedAt);
    await alertsOf(dataflowId, 1);
    await flow.circuitClosed(openedAt);
    const [raised, resolved] = await alertsOf(dataflowId, 2);
    const notifications = await waitFor(async () => {
      const recorded = await readNotifications(store, dataflowId);
      return recorded.length >= 2 ? recorded : undefined;
    }, 'two notifications');
    expect(notifications.map((notification) => [notification.type, notification.kind, notification.alertEventId])).toEqual([
      ['AlertNotified', 'raised', raised?.id],
      ['AlertNotified', 'resolved', resolved?.id],
    ]);
    expect(webhookCallsOf(dataflowId).map((request) => (request.body as { type: string }).type)).toEqual(['AlertRaised', 'AlertResolved']);
  });

  it('a dataflow without a subscription gets no alerts', async () => {
    const dataflowId = uniqueId('df');
    const flow = pipeline(store, dataflowId, uniqueId('dest'));
    await flow.deadLettered();
    const manager = start();
    await manager.caughtUp;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await readAlerts(store, dataflowId)).toEqual([]);
  });
});
