import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest, type ReceiverAnswer } from '@spillway/testing';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertManager, AlertManagerOptions } from '../manager/run-alert-manager.ts';
import { captureLogger, connectForTest, readAlerts, readNotifications, startTestManager, subscribedDataflow, uniqueId, waitFor } from '../test-setup/fixtures.ts';

const bearerSecret = 'alert-bearer-7f3a9c';
const headerSecret = 'alert-header-51d2e8';
const pathSecret = 'hook-path-b64e0f';
const secrets = { env: { ALERT_TOKEN: bearerSecret, ALERT_KEY: headerSecret }, readFile: (path: string) => readFileSync(path, 'utf8') };

describe('alert notifications to a real webhook on loopback', () => {
  const log = captureLogger();
  let store: EventStore;
  let receiver: HttpReceiver;
  let answers: ReceiverAnswer[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'alert-sink-'));
  const running: AlertManager[] = [];
  beforeAll(async () => {
    store = await connectForTest(log.logger);
    receiver = await startHttpReceiver({ respond: () => answers.shift() ?? { status: 200 } });
  });
  afterEach(async () => {
    for (const manager of running.splice(0)) await manager.stop();
  });
  afterAll(async () => {
    await receiver.close();
    await store.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const start = (overrides: Partial<AlertManagerOptions> = {}): AlertManager => startTestManager(running, { store, logger: log.logger, secrets, ...overrides });
  const sinkOf = (dataflowId: string) => join(tmp, `${dataflowId}.jsonl`);
  const setup = async () => {
    const { dataflowId, flow } = await subscribedDataflow(store, (id) => ({
      webhook: { url: `${receiver.url}/hooks/${pathSecret}/${id}`, bearerToken: 'env:ALERT_TOKEN', headers: { 'X-Alert-Key': 'env:ALERT_KEY', 'X-Team': 'ops' } },
      logSink: { path: sinkOf(id) },
    }));
    return { dataflowId, flow, sink: sinkOf(dataflowId) };
  };
  const callsOf = (dataflowId: string): ReceivedRequest[] => receiver.requests.filter((request) => request.path.endsWith(`/${dataflowId}`));
  const notificationsOf = (dataflowId: string, count: number) =>
    waitFor(async () => {
      const recorded = await readNotifications(store, dataflowId);
      return recorded.length >= count ? recorded : undefined;
    }, `${count} notifications of ${dataflowId}`);

  it('a 500 then a 200: delivered once after one retry, with the alert in the body and the secrets only in the headers', async () => {
    const { dataflowId, flow, sink } = await setup();
    answers = [{ status: 500 }];
    start();
    await flow.circuitOpened();
    const [notified] = await notificationsOf(dataflowId, 1);
    const [raised] = await readAlerts(store, dataflowId);
    expect(notified).toMatchObject({ type: 'AlertNotified', kind: 'raised', attempts: 2, status: 200, alertEventId: raised?.id });

    const calls = callsOf(dataflowId);
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.headers['x-export-id'])).toEqual([raised?.id, raised?.id]);
    const [, delivered] = calls;
    expect(delivered?.headers).toMatchObject({ authorization: `Bearer ${bearerSecret}`, 'x-alert-key': headerSecret, 'x-team': 'ops', 'content-type': 'application/json' });
    expect(delivered?.body).toEqual({
      type: 'AlertRaised',
      eventId: raised?.id,
      alert: {
        alertId: raised?.alertId,
        dataflowId,
        rule: 'endpoint-unreachable',
        summary: 'the endpoint is unreachable (circuit open after 7 failed requests; last: ECONNREFUSED)',
        observed: 7,
        threshold: 0,
        raisedAt: raised?.['raisedAt'],
      },
    });
    expect(readFileSync(sink, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([delivered?.body]);

    const logs = log.lines.join('\n');
    expect(logs).toContain('"message":"alert notified"');
    for (const secret of [bearerSecret, headerSecret, pathSecret]) expect(logs).not.toContain(secret);
  });

  it('gives up after the last attempt and records why, without the URL', async () => {
    const { dataflowId, flow } = await setup();
    answers = [{ status: 503 }, { status: 503 }, { status: 503 }];
    start();
    await flow.deadLettered();
    const [failed] = await notificationsOf(dataflowId, 1);
    expect(failed).toMatchObject({ type: 'AlertNotificationFailed', kind: 'raised', attempts: 3, status: 503, reason: 'HTTP 503 after 3 attempts' });
    expect(callsOf(dataflowId)).toHaveLength(3);
  });

  it('a restart does not raise or send an open alert again, and resolves the same alert later', async () => {
    const { dataflowId, flow } = await setup();
    const consumer = uniqueId('alert-manager');
    const first = start({ consumer });
    const openedAt = new Date().toISOString();
    await flow.circuitOpened(openedAt);
    await notificationsOf(dataflowId, 1);
    await first.stop();

    await flow.circuitOpened(new Date().toISOString()); // reopened while the manager was down: still the same outage
    const second = start({ consumer });
    await second.caughtUp;
    await waitFor(() => (second.stats().inFlight === 0 ? true : undefined), 'the events in hand');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few ticks
    expect((await readAlerts(store, dataflowId)).map((alert) => alert.type)).toEqual(['AlertRaised']);
    expect(callsOf(dataflowId)).toHaveLength(1);

    await flow.circuitClosed(openedAt);
    await notificationsOf(dataflowId, 2);
    const alerts = await readAlerts(store, dataflowId);
    expect(alerts.map((alert) => alert.type)).toEqual(['AlertRaised', 'AlertResolved']);
    expect(alerts[1]?.alertId).toBe(alerts[0]?.alertId);
    expect(callsOf(dataflowId).map((call) => (call.body as { type: string }).type)).toEqual(['AlertRaised', 'AlertResolved']);
  });

  it('a notification cut short by a stop is sent after the restart, under the same event id', async () => {
    const { dataflowId, flow } = await setup();
    const consumer = uniqueId('alert-manager');
    answers = [{ status: 503 }];
    const first = start({ consumer, retry: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    await flow.deadLettered();
    await waitFor(() => (callsOf(dataflowId).length >= 1 ? true : undefined), 'the first attempt');
    await first.stop();
    expect(await readNotifications(store, dataflowId)).toEqual([]);

    start({ consumer });
    const [notified] = await notificationsOf(dataflowId, 1);
    const alerts = await readAlerts(store, dataflowId);
    expect(alerts.map((alert) => alert.type)).toEqual(['AlertRaised']);
    expect(notified).toMatchObject({ type: 'AlertNotified', alertEventId: alerts[0]?.id });
    expect(callsOf(dataflowId).map((call) => call.headers['x-export-id'])).toEqual([alerts[0]?.id, alerts[0]?.id]);
  });
});
