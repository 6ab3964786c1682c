import { randomUUID } from 'node:crypto';
import { alertNotificationStreamName, alertSubscriptionSchema, type AlertDecision } from '@spillway/alert-rules';
import type { EventStore } from '@spillway/event-streams';
import { startHttpReceiver, type HttpReceiver } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertEventIdOf, appendDecisions } from '../manager/write-decisions.ts';
import { captureLogger, connectForTest, readNotifications, uniqueId, waitFor } from '../test-setup/fixtures.ts';
import { createNotifier, notificationEvents, type Notifier } from './notifier.ts';
import { createNotificationOutbox } from './outbox.ts';
import { findUntoldTail } from './untold-tail.ts';

const raise = (dataflowId: string): AlertDecision => ({
  kind: 'raise',
  alert: { alertId: randomUUID(), dataflowId, rule: 'dead-lettered', summary: 'a dead letter', observed: 1, threshold: 0, raisedAt: new Date().toISOString() },
});

describe('the notification outbox against the real store', () => {
  const log = captureLogger();
  let store: EventStore;
  let receiver: HttpReceiver;
  beforeAll(async () => {
    store = await connectForTest(log.logger);
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await store.close();
  });

  const decided = async (count: number) => {
    const dataflowId = uniqueId('df');
    const decisions = Array.from({ length: count }, () => raise(dataflowId));
    await appendDecisions(store, dataflowId, decisions);
    return { dataflowId, ids: decisions.map(alertEventIdOf) };
  };
  const told = (dataflowId: string, ids: readonly string[]) =>
    store.appendEvents(
      alertNotificationStreamName(dataflowId),
      notificationEvents,
      ids.map((alertEventId) => ({ type: 'AlertNotified', data: { alertEventId, alertId: alertEventId, dataflowId, kind: 'raised', attempts: 1, status: 200, notifiedAt: new Date().toISOString() } })),
    );

  it('starts after the newest outcome, reading only the tail; falls back to every outcome when that decision is missing', async () => {
    const { dataflowId, ids } = await decided(5);
    expect(await findUntoldTail(store, dataflowId)).toEqual({ from: 0n, skip: new Set() });
    await told(dataflowId, ids.slice(0, 3));
    expect(await findUntoldTail(store, dataflowId)).toEqual({ from: 3n, skip: new Set() });
    const gone = randomUUID();
    await told(dataflowId, [gone]);
    expect(await findUntoldTail(store, dataflowId)).toEqual({ from: 0n, skip: new Set([...ids.slice(0, 3), gone]) });
  });

  it('a queue whose record failed tries again from the store: every decision told once, in order', async () => {
    const { dataflowId, ids } = await decided(3);
    const aborting = new AbortController();
    const real = createNotifier({ store, logger: log.logger, secrets: { env: {}, readFile: () => '' }, retry: { attempts: 1 }, signal: aborting.signal, now: () => new Date() });
    let calls = 0;
    const notifier: Notifier = {
      counts: () => real.counts(),
      notify: (subscription, decision, eventId) => (++calls === 2 ? Promise.reject(new Error('store unavailable')) : real.notify(subscription, decision, eventId)),
    };
    const outbox = createNotificationOutbox({ store, logger: log.logger, notifier, signal: aborting.signal, retryAfterMs: 50, pageSize: 2 });
    outbox.decided(alertSubscriptionSchema.parse({ dataflowId, webhook: { url: `${receiver.url}/alerts/${dataflowId}` } }));
    const recorded = await waitFor(async () => {
      const outcomes = await readNotifications(store, dataflowId);
      return outcomes.length >= 3 ? outcomes : undefined;
    }, 'three outcomes');
    aborting.abort();
    await outbox.settled();
    expect(recorded.map((outcome) => outcome.alertEventId)).toEqual(ids);
    expect(receiver.requests.filter((request) => request.path === `/alerts/${dataflowId}`).map((request) => request.headers['x-export-id'])).toEqual(ids);
    expect(real.counts()).toEqual({ notified: 3, failed: 0 });
    expect(log.lines.some((line) => line.includes('alert notifications failed; trying again') && line.includes(dataflowId))).toBe(true);
  });

  it('a queue waiting to try again after a failure is counted as retrying, not sending', async () => {
    const { dataflowId } = await decided(1);
    const aborting = new AbortController();
    const failing: Notifier = { counts: () => ({ notified: 0, failed: 0 }), notify: () => Promise.reject(new Error('store unavailable')) };
    const outbox = createNotificationOutbox({ store, logger: log.logger, notifier: failing, signal: aborting.signal, retryAfterMs: 60_000 });
    expect(outbox.activity()).toEqual({ sending: 0, retrying: 0 });
    outbox.decided(alertSubscriptionSchema.parse({ dataflowId, webhook: { url: `${receiver.url}/alerts/${dataflowId}` } }));
    expect(outbox.activity()).toEqual({ sending: 1, retrying: 0 });
    await waitFor(() => (outbox.activity().retrying === 1 ? true : undefined), 'the queue waiting to retry');
    expect(outbox.activity()).toEqual({ sending: 0, retrying: 1 });
    aborting.abort();
    await outbox.settled();
  });
});
