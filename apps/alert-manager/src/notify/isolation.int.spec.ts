import { startHttpReceiver, type HttpReceiver, type ReceivedRequest, type ReceiverAnswer } from '@spillway/testing';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertManager, AlertManagerOptions } from '../manager/run-alert-manager.ts';
import { stateCheckpointEvents, stateCheckpointStreamName } from '../manager/state-checkpoints.ts';
import { captureLogger, connectForTest, pipeline, readAlerts, readNotifications, startTestManager, subscribedDataflow, uniqueId, waitFor } from '../test-setup/fixtures.ts';

/** How long the slow webhook holds each request: far above the bound the other dataflow is held to. */
const hangMs = 8_000;
/** B's notification must arrive within this of its decision, while A's first request still hangs. */
const promptMs = 3_000;

describe('a slow webhook delays only its own dataflow', () => {
  const log = captureLogger();
  let store: EventStore;
  let receiver: HttpReceiver;
  const slow = new Set<string>();
  const running: AlertManager[] = [];
  beforeAll(async () => {
    store = await connectForTest(log.logger);
    receiver = await startHttpReceiver({ respond: (request): ReceiverAnswer => ([...slow].some((id) => request.path.endsWith(`/${id}`)) ? { status: 200, delayMs: hangMs } : { status: 200 }) });
  });
  afterEach(async () => {
    for (const manager of running.splice(0)) await manager.stop();
    slow.clear();
  });
  afterAll(async () => {
    await receiver.close();
    await store.close();
  });

  const start = (overrides: Partial<AlertManagerOptions> = {}): AlertManager => startTestManager(running, { store, logger: log.logger, ...overrides });
  const setup = () => subscribedDataflow(store, (dataflowId) => ({ webhook: { url: `${receiver.url}/alerts/${dataflowId}`, timeoutMs: 30_000 }, rules: {} }));
  const callsOf = (dataflowId: string): ReceivedRequest[] => receiver.requests.filter((request) => request.path === `/alerts/${dataflowId}`);
  const bodyTypes = (dataflowId: string) => callsOf(dataflowId).map((call) => (call.body as { type: string }).type);
  const notificationsOf = (dataflowId: string, count: number, timeoutMs?: number) =>
    waitFor(
      async () => {
        const recorded = await readNotifications(store, dataflowId);
        return recorded.length >= count ? recorded : undefined;
      },
      `${count} notifications of ${dataflowId}`,
      timeoutMs,
    );

  it("B's alert reaches B's webhook while A's webhook still holds A's first request; A's arrives later, once", async () => {
    const a = await setup();
    const b = await setup();
    slow.add(a.dataflowId);
    const manager = start();
    await a.flow.circuitOpened();
    await waitFor(() => (callsOf(a.dataflowId).length >= 1 ? true : undefined), "A's first request");
    const hangingSince = Date.now();

    await b.flow.circuitOpened();
    const decidedAt = Date.now();
    const [bNotified] = await notificationsOf(b.dataflowId, 1, promptMs);
    const tookMs = Date.now() - decidedAt;
    console.log(`B notified ${tookMs} ms after its circuit opened; A's request had hung for ${Date.now() - hangingSince} ms`);
    expect(bNotified).toMatchObject({ type: 'AlertNotified', kind: 'raised' });
    expect(bodyTypes(b.dataflowId)).toEqual(['AlertRaised']);
    expect(await readNotifications(store, a.dataflowId)).toEqual([]);
    expect(manager.notificationActivity()).toEqual({ sending: 1, retrying: 0 });

    const [aNotified] = await notificationsOf(a.dataflowId, 1);
    console.log(`A notified ${Date.now() - hangingSince} ms after its first request arrived`);
    expect(aNotified).toMatchObject({ type: 'AlertNotified', kind: 'raised', attempts: 1 });
    expect(callsOf(a.dataflowId)).toHaveLength(1);
    await waitFor(() => (manager.notificationActivity().sending === 0 ? true : undefined), 'no dataflow sending once A is told');
  });

  it('decisions appended while a stop cuts the slow webhook short are sent after the restart, once each, in order', async () => {
    const a = await setup();
    slow.add(a.dataflowId);
    const consumer = uniqueId('alert-manager');
    const first = start({ consumer });
    const openedAt = new Date().toISOString();
    await a.flow.circuitOpened(openedAt);
    await waitFor(() => (callsOf(a.dataflowId).length >= 1 ? true : undefined), "A's first request");
    await a.flow.circuitClosed(openedAt);
    const decided = await waitFor(async () => {
      const alerts = await readAlerts(store, a.dataflowId);
      return alerts.length >= 2 ? alerts : undefined;
    }, 'the raise and the resolution, decided while the raise still hangs');
    expect(decided.map((alert) => alert.type)).toEqual(['AlertRaised', 'AlertResolved']);
    await first.stop();
    expect(await readNotifications(store, a.dataflowId)).toEqual([]);

    slow.clear();
    const second = start({ consumer });
    const notifications = await notificationsOf(a.dataflowId, 2);
    await second.caughtUp;
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few ticks: nothing more is sent
    console.log(`after the restart: ${bodyTypes(a.dataflowId).join(', ')}`);
    expect(notifications.map((notification) => [notification.type, notification.alertEventId])).toEqual(decided.map((alert) => ['AlertNotified', alert.id]));
    expect(await readNotifications(store, a.dataflowId)).toHaveLength(2);
    // The raise cut short by the stop reached the webhook once before; after the restart each decision goes once, in order.
    expect(callsOf(a.dataflowId).map((call) => call.headers['x-export-id'])).toEqual([decided[0]?.id, decided[0]?.id, decided[1]?.id]);
    expect(second.counts()).toMatchObject({ notified: 2, failed: 0 });
  });

  it('a subscription deleted while its webhook hangs: the resolution it decided is still sent after a restart', async () => {
    const a = await setup();
    slow.add(a.dataflowId);
    const consumer = uniqueId('alert-manager');
    const first = start({ consumer });
    await a.flow.circuitOpened();
    await waitFor(() => (callsOf(a.dataflowId).length >= 1 ? true : undefined), "A's first request");
    await a.flow.unsubscribe();
    const decided = await waitFor(async () => {
      const alerts = await readAlerts(store, a.dataflowId);
      return alerts.length >= 2 ? alerts : undefined;
    }, 'the raise and the resolution by the deletion');
    await first.stop();

    slow.clear();
    const second = start({ consumer });
    const notifications = await notificationsOf(a.dataflowId, 2);
    expect(notifications.map((notification) => [notification.type, notification.kind, notification.alertEventId])).toEqual([
      ['AlertNotified', 'raised', decided[0]?.id],
      ['AlertNotified', 'resolved', decided[1]?.id],
    ]);
    expect(bodyTypes(a.dataflowId)).toEqual(['AlertRaised', 'AlertRaised', 'AlertResolved']);
    // Told, so the deleted subscription is no longer kept: the next checkpoint (one more event, then the stop) is without it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const handled = second.stats().handled;
    await pipeline(store, uniqueId('df'), uniqueId('dest')).delivered();
    await waitFor(() => (second.stats().handled > handled && second.stats().inFlight === 0 ? true : undefined), 'one more event handled');
    await second.stop();
    const [latest] = await store.readStreamEvents(stateCheckpointStreamName(consumer), stateCheckpointEvents, { direction: 'backwards', maxCount: 1 });
    expect(latest?.event.data.state.unsubscribed).toEqual({});
  });
});
