import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { alertingEventSchemas, alertingStreamName, alertNotificationStreamName, type AlertSubscriptionInput } from '@spillway/alert-rules';
import { connectEventStore, defineEvents, type EventStore } from '@spillway/event-streams';
import {
  alertStreamName,
  backfillEventSchemas,
  backfillStreamName,
  circuitEventSchemas,
  circuitStreamName,
  deadlettersStreamName,
  deliveriesStreamName,
  internalEventSchemas,
} from '@spillway/pipeline-events';
import { createLogger, type Logger } from '@spillway/runtime';
import { dataflowStreamName, publicEventDataSchemas } from '@spillway/xdm';
import { inject } from 'vitest';
import { notificationEvents } from '../notify/notifier.ts';
import { alertEvents } from '../manager/write-decisions.ts';
import { runAlertManager, type AlertManager, type AlertManagerOptions } from '../manager/run-alert-manager.ts';

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: string[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  return { logger: createLogger({ service: 'test', level: 'debug', write: (line) => lines.push(line) }), lines };
}

export const connectForTest = (logger: Logger): Promise<EventStore> => connectEventStore(inject('eventstoreConnectionString'), { logger, connectTimeoutMs: 10_000 });

export const uniqueId = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const deliveryEvents = defineEvents({
  ExportDelivered: internalEventSchemas.ExportDelivered,
  ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed,
  ExportFailed: internalEventSchemas.ExportFailed,
});
const deadLetterEvents = defineEvents({ ExportDeadLettered: internalEventSchemas.ExportDeadLettered });
const circuits = defineEvents(circuitEventSchemas);
const backfills = defineEvents(backfillEventSchemas);
const dataflows = defineEvents({ DataflowConfigured: publicEventDataSchemas.DataflowConfigured });
const alerting = defineEvents(alertingEventSchemas);

const iso = (msAgo = 0): string => new Date(Date.now() - msAgo).toISOString();

/** Appends the pipeline's events of one dataflow (delivering to one destination), as the services would. */
export function pipeline(store: EventStore, dataflowId: string, destinationId: string) {
  const ids = () => ({ exportId: randomUUID(), sequence: 1, dataflowId, destinationId, profileId: uniqueId('p') });
  return {
    subscribe: (subscription: Omit<AlertSubscriptionInput, 'dataflowId'>) =>
      store.appendEvents(alertingStreamName(dataflowId), alerting, [{ type: 'AlertSubscriptionConfigured', data: { dataflowId, ...subscription } }]),
    unsubscribe: () => store.appendEvents(alertingStreamName(dataflowId), alerting, [{ type: 'AlertSubscriptionDeleted', data: { dataflowId } }]),
    configureDataflow: () =>
      store.appendEvents(dataflowStreamName(dataflowId), dataflows, [{ type: 'DataflowConfigured', data: { dataflowId, destinationId, audiences: [], attributes: [], enabled: true } }]),
    delivered: (delayMs = 500) =>
      store.appendEvents(deliveriesStreamName(dataflowId), deliveryEvents, [
        { type: 'ExportDelivered', data: { ...ids(), attempts: 1, ingestedAt: iso(delayMs), status: 200, durationMs: 3, deliveredAt: iso() } },
      ]),
    attemptFailed: () =>
      store.appendEvents(deliveriesStreamName(dataflowId), deliveryEvents, [
        { type: 'ExportAttemptFailed', data: { ...ids(), attempt: 1, startedAt: iso(), durationMs: 3, status: 503, reason: 'HTTP 503', nextAttemptAt: iso(-1000) } },
      ]),
    deadLettered: () => {
      const exportIds = ids();
      return store.appendEvents(deadlettersStreamName(dataflowId), deadLetterEvents, [
        {
          type: 'ExportDeadLettered',
          data: {
            ...exportIds,
            export: { ...exportIds, triggers: ['attribute'], lane: 'live', document: {}, ingestedAt: iso(1000), decidedAt: iso(1000) },
            attempts: [],
            status: 400,
            reason: 'HTTP 400 (not retryable)',
            deadLetteredAt: iso(),
          },
        },
      ]);
    },
    circuitOpened: (openedAt = iso()) =>
      store.appendEvents(circuitStreamName(destinationId), circuits, [
        { type: 'CircuitOpened', data: { destinationId, failingSince: iso(30_000), failures: 7, lastError: 'ECONNREFUSED', openedAt } },
      ]),
    circuitClosed: (openedAt: string) => store.appendEvents(circuitStreamName(destinationId), circuits, [{ type: 'CircuitClosed', data: { destinationId, openedAt, closedAt: iso() } }]),
    backfillStarted: (backfillId: string) =>
      store.appendEvents(backfillStreamName(dataflowId), backfills, [
        {
          type: 'BackfillStarted',
          data: { backfillId, dataflowId, partition: '0/1', audienceIds: ['a1'], configStream: dataflowStreamName(dataflowId), configEventId: 'c1', upToPosition: '1/1', startedAt: iso() },
        },
      ]),
    backfillCompleted: (backfillId: string) =>
      store.appendEvents(backfillStreamName(dataflowId), backfills, [{ type: 'BackfillCompleted', data: { backfillId, dataflowId, partition: '0/1', scanned: 3, exported: 3, completedAt: iso() } }]),
  };
}

export type ReadAlert = { readonly id: string; readonly type: string; readonly alertId: string; readonly rule: string } & Readonly<Record<string, unknown>>;

export async function readAlerts(store: EventStore, dataflowId: string): Promise<ReadAlert[]> {
  return (await store.readStreamEvents(alertStreamName(dataflowId), alertEvents)).map((stored) => ({ id: stored.eventId, type: stored.event.type, ...stored.event.data }));
}

export async function readNotifications(store: EventStore, dataflowId: string) {
  return (await store.readStreamEvents(alertNotificationStreamName(dataflowId), notificationEvents)).map((stored) => ({ type: stored.event.type, ...stored.event.data }));
}

/**
 * Runs an alert manager at the tests' pace (100 ms ticks, 3 quick attempts) under a consumer name
 * of its own, no secrets but files; `running` collects it for the stop after each test.
 */
export function startTestManager(running: AlertManager[], options: Pick<AlertManagerOptions, 'store' | 'logger'> & Partial<AlertManagerOptions>): AlertManager {
  const manager = runAlertManager({
    secrets: { env: {}, readFile: (path) => readFileSync(path, 'utf8') },
    consumer: uniqueId('alert-manager'),
    tickMs: 100,
    retry: { attempts: 3, baseDelayMs: 20 },
    ...options,
  });
  running.push(manager);
  return manager;
}

/** A dataflow of its own, configured and subscribed as `subscription` says for its id. */
export async function subscribedDataflow(store: EventStore, subscription: (dataflowId: string) => Omit<AlertSubscriptionInput, 'dataflowId'>) {
  const dataflowId = uniqueId('df');
  const flow = pipeline(store, dataflowId, uniqueId('dest'));
  await flow.configureDataflow();
  await flow.subscribe(subscription(dataflowId));
  return { dataflowId, flow };
}
