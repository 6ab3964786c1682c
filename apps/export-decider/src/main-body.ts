import { connectEventStore, describeTarget, parsePartition, parseStoreEnvironment, partitionConsumerName, type EventStore } from '@spillway/event-streams';
import { counterFromTotal, createDeciderMetrics, createMetricsRegistry, parseMetricsPort, registerConsumerMetrics, registerSubscriptionLag, serveMetrics, type MetricsServer } from '@spillway/metrics';
import { createLogger, exitWhenFailed, onShutdown, parseLogLevel } from '@spillway/runtime';
import { backfillReadAheadBytes, parseBackfillRate, parseLiveLagTarget } from './backfill/backfill-settings.ts';
import { deciderService, runDecider, type Decider, type DeciderOptions } from './consumer/run-decider.ts';

const logger = createLogger({ service: 'export-decider', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let backfillStore: EventStore | undefined;
let decider: Decider | undefined;
let metricsServer: MetricsServer | undefined;
onShutdown(logger, [() => store?.close(), () => backfillStore?.close(), () => decider?.stop(), () => metricsServer?.close()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const partition = parsePartition(process.env['SPILLWAY_PARTITION']);
  const metricsPort = parseMetricsPort(process.env['SPILLWAY_METRICS_PORT']);
  const registry = createMetricsRegistry(deciderService);
  const metrics = createDeciderMetrics(registry);
  store = await connectEventStore(connectionString, { logger });
  const backfillRate = parseBackfillRate(process.env['SPILLWAY_BACKFILL_RATE']);
  const liveLagTargetMs = parseLiveLagTarget(process.env['SPILLWAY_BACKFILL_LIVE_LAG_MS']);
  let backfill: DeciderOptions['backfill'];
  if (backfillRate !== 'off') {
    backfillStore = await connectEventStore(connectionString, { logger, readAheadBytes: backfillReadAheadBytes });
    backfill = { ratePerSecond: backfillRate, liveLagTargetMs, store: backfillStore };
  }
  decider = runDecider({
    store,
    logger,
    partition,
    onExportRequested: (request) => metrics.exportRequested(request.dataflowId, request.triggers, request.lane),
    ...(backfill ? { backfill } : {}),
  });
  const counted = decider;
  const consumerName = partitionConsumerName(deciderService, partition);
  const connected = store;
  registerConsumerMetrics(registry, consumerName, () => counted);
  registerSubscriptionLag(registry, consumerName, { head: () => connected.readHeadPosition(), position: () => counted.stats().position });
  counterFromTotal(registry, 'spillway_profile_changes_decided_total', "Profile changes of this instance's partition decided", () => counted.counts().decided);
  counterFromTotal(registry, 'spillway_exports_skipped_missing_destination_total', "Exports not requested because their dataflow's destination is missing", () => counted.counts().skippedMissingDestination);
  counterFromTotal(registry, 'spillway_profile_changes_skipped_invalid_total', 'Profile changes skipped as inconsistent, and exports the store refused', () => counted.counts().skippedInvalid);
  counterFromTotal(registry, 'spillway_backfills_completed_total', 'Backfills this instance finished', () => counted.backfill?.counts().completed);
  counterFromTotal(registry, 'spillway_backfills_failed_total', 'Backfills this instance gave up', () => counted.backfill?.counts().failed);
  metricsServer = metricsPort === 'off' ? undefined : await serveMetrics(registry, { port: metricsPort });
  logger.info('started', { connected: true, store: describeTarget(connectionString), partition: `${partition.index}/${partition.count}`, backfillRate, liveLagTargetMs, metrics: metricsServer?.url ?? null });
  const running = decider;
  exitWhenFailed(logger, 'decider', running.done, () => ({ counts: running.counts() }));
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
