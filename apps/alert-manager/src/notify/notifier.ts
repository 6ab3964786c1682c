import {
  alertNotificationBody,
  alertNotificationEventSchemas,
  alertNotificationStreamName,
  type AlertDecision,
  type AlertNotificationFailed,
  type AlertSubscription,
} from '@spillway/alert-rules';
import { deliverWithRetry, SecretResolutionError, type RetryPolicy, type SecretSources } from '@spillway/delivery';
import { defineEvents, deterministicEventId, type EventStore, type EventToAppend } from '@spillway/event-streams';
import { createLogger, type Logger } from '@spillway/runtime';
import { appendLogLine } from './log-sink.ts';
import { describeFailedNotification } from './notification-outcome.ts';
import { resolveWebhookTarget } from './webhook-target.ts';

export const notificationEvents = defineEvents(alertNotificationEventSchemas);

/** Alerts are rare and worth waiting for: more attempts than an export, further apart. */
export const defaultNotificationRetry: Partial<RetryPolicy> = { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 };

export interface NotifierOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly secrets: SecretSources;
  readonly retry: Partial<RetryPolicy>;
  /** Aborts a notification in flight on shutdown: it is sent again after the restart. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

export interface NotificationCounts {
  readonly notified: number;
  readonly failed: number;
}

export interface Notifier {
  /**
   * Tells the subscriber of one alert event and records the outcome. Whether it was told already
   * is the caller's to know (the outbox's cursor); the record's id is deterministic, so recording
   * an outcome twice keeps one.
   */
  notify(subscription: AlertSubscription, decision: AlertDecision, eventId: string): Promise<void>;
  counts(): NotificationCounts;
}

// The delivery lib logs failed requests with the URL's path, where webhook URLs often carry a
// secret (Slack, Teams): we log our own lines, with the origin only.
const quiet = createLogger({ service: 'alert-manager', level: 'error', write: () => undefined });

export function createNotifier(options: NotifierOptions): Notifier {
  const { store, logger } = options;
  let notified = 0;
  let failed = 0;

  async function record(dataflowId: string, eventId: string, event: EventToAppend<typeof notificationEvents>): Promise<void> {
    await store.appendEvents(alertNotificationStreamName(dataflowId), notificationEvents, [{ ...event, id: deterministicEventId('alert-notification', eventId) }]);
  }

  async function writeLogSink(subscription: AlertSubscription, line: string, context: Record<string, unknown>): Promise<void> {
    if (!subscription.logSink) return;
    try {
      await appendLogLine(subscription.logSink.path, line);
    } catch (error) {
      logger.error('could not write the alert to the log sink', { ...context, path: subscription.logSink.path, error });
    }
  }

  return {
    counts: () => ({ notified, failed }),
    async notify(subscription, decision, eventId) {
      const { dataflowId } = subscription;
      const kind = decision.kind === 'raise' ? 'raised' : 'resolved';
      const base = { alertEventId: eventId, alertId: decision.alert.alertId, dataflowId, kind } as const;
      const context = { dataflowId, alertId: decision.alert.alertId, rule: decision.alert.rule, kind };
      const body = alertNotificationBody(decision, eventId);
      await writeLogSink(subscription, JSON.stringify(body), context);
      let delivery;
      try {
        const target = resolveWebhookTarget(subscription.webhook, options.secrets);
        const request = { exportId: eventId, sequence: 0, dataflowId, profileId: decision.alert.alertId, destinationId: `alerts-${dataflowId}`, document: { ...body } };
        delivery = await deliverWithRetry(request, target, { logger: quiet, signal: options.signal, ...options.retry });
      } catch (error) {
        if (!(error instanceof SecretResolutionError)) throw error;
        await recordFailure({ ...base, attempts: 0, reason: error.message, failedAt: options.now().toISOString() }, context);
        return;
      }
      const webhook = new URL(subscription.webhook.url).origin;
      if (delivery.outcome.kind === 'delivered') {
        await record(dataflowId, eventId, { type: 'AlertNotified', data: { ...base, attempts: delivery.attempts, status: delivery.outcome.status, notifiedAt: options.now().toISOString() } });
        notified++;
        logger.info('alert notified', { ...context, webhook, attempts: delivery.attempts, status: delivery.outcome.status });
        return;
      }
      await recordFailure({ ...base, attempts: delivery.attempts, ...describeFailedNotification(delivery), failedAt: options.now().toISOString() }, { ...context, webhook });
    },
  };

  async function recordFailure(data: AlertNotificationFailed, context: Record<string, unknown>): Promise<void> {
    await record(data.dataflowId, data.alertEventId, { type: 'AlertNotificationFailed', data });
    failed++;
    logger.warn('alert notification failed', { ...context, attempts: data.attempts, reason: data.reason });
  }
}
