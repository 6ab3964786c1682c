import { readFileSync } from 'node:fs';
import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { counterFromTotal, createMetricsRegistry, gaugeFromValue, parseMetricsPort, registerConsumerMetrics, registerSubscriptionLag, serveMetrics, type MetricsServer } from '@spillway/metrics';
import { createLogger, exitWhenFailed, onShutdown, parseLogLevel } from '@spillway/runtime';
import { alertManagerService, runAlertManager, type AlertManager } from './manager/run-alert-manager.ts';
import { parseAlertManagerSettings } from './settings.ts';

const logger = createLogger({ service: alertManagerService, level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let manager: AlertManager | undefined;
let metricsServer: MetricsServer | undefined;
onShutdown(logger, [() => store?.close(), () => manager?.stop(), () => metricsServer?.close()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const settings = parseAlertManagerSettings(process.env);
  const metricsPort = parseMetricsPort(process.env['SPILLWAY_METRICS_PORT']);
  const registry = createMetricsRegistry(alertManagerService);
  store = await connectEventStore(connectionString, { logger });
  manager = runAlertManager({ store, logger, tickMs: settings.tickMs, secrets: { env: process.env, readFile: (path) => readFileSync(path, 'utf8') } });
  const running = manager;
  const connected = store;
  registerConsumerMetrics(registry, alertManagerService, () => running);
  registerSubscriptionLag(registry, alertManagerService, { head: () => connected.readHeadPosition(), position: () => running.stats().position });
  counterFromTotal(registry, 'spillway_alerts_raised_total', 'Alerts raised', () => running.counts().raised);
  counterFromTotal(registry, 'spillway_alerts_resolved_total', 'Alerts resolved', () => running.counts().resolved);
  counterFromTotal(registry, 'spillway_alert_notifications_total', 'Alert events delivered to the webhook', () => running.counts().notified);
  counterFromTotal(registry, 'spillway_alert_notifications_failed_total', 'Alert events the webhook did not take after every retry', () => running.counts().failed);
  gaugeFromValue(registry, 'spillway_alert_notification_dataflows_sending', 'Dataflows whose alert notifications are being sent (a slow or dead webhook keeps its dataflow here)', () => running.notificationActivity().sending);
  gaugeFromValue(registry, 'spillway_alert_notification_dataflows_retrying', 'Dataflows whose alert notifications wait to be tried again after a store failure', () => running.notificationActivity().retrying);
  metricsServer = metricsPort === 'off' ? undefined : await serveMetrics(registry, { port: metricsPort });
  logger.info('started', { connected: true, store: describeTarget(connectionString), tickMs: settings.tickMs, metrics: metricsServer?.url ?? null });
  exitWhenFailed(logger, 'alert manager', running.done, () => ({ counts: running.counts() }));
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
