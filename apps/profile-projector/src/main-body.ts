import { connectEventStore, describeTarget, partitionConsumerName, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { counterFromTotal, createMetricsRegistry, createProjectorMetrics, parseMetricsPort, registerConsumerMetrics, registerSubscriptionLag, serveMetrics, type MetricsServer, type Registry } from '@spillway/metrics';
import { createLogger, exitWhenFailed, onShutdown, parseLogLevel } from '@spillway/runtime';
import { projectorService, runProjector, type Projector } from './projection/projector.ts';
import { parseProjectorSettings } from './settings.ts';

const logger = createLogger({ service: 'profile-projector', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let projector: Projector | undefined;
let metricsServer: MetricsServer | undefined;
onShutdown(logger, [() => store?.close(), () => projector?.stop(), () => metricsServer?.close()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const settings = parseProjectorSettings(process.env);
  const metricsPort = parseMetricsPort(process.env['SPILLWAY_METRICS_PORT']);
  const registry = createMetricsRegistry(projectorService);
  const metrics = createProjectorMetrics(registry);
  store = await connectEventStore(connectionString, { logger });
  projector = runProjector({ store, logger, ...settings, onIngestEvent: metrics.ingestEventHandled });
  registerProjectorMetrics(registry, store, projector, partitionConsumerName(projectorService, settings.partition));
  metricsServer = metricsPort === 'off' ? undefined : await serveMetrics(registry, { port: metricsPort });
  logger.info('started', {
    connected: true,
    store: describeTarget(connectionString),
    partition: `${settings.partition.index}/${settings.partition.count}`,
    cacheSize: settings.cacheSize,
    maxInFlight: settings.maxInFlight,
    metrics: metricsServer?.url ?? null,
  });
  const running = projector;
  exitWhenFailed(logger, 'projector', running.done, () => ({ counts: running.counts() }));
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}

function registerProjectorMetrics(registry: Registry, connected: EventStore, running: Projector, consumerName: string): void {
  registerConsumerMetrics(registry, consumerName, () => running);
  registerSubscriptionLag(registry, consumerName, { head: () => connected.readHeadPosition(), position: () => running.stats().position });
  const counts = () => running.counts();
  counterFromTotal(registry, 'spillway_profile_changes_published_total', 'ProfileChanged events appended to profile-<id> streams', () => counts().projected);
  counterFromTotal(registry, 'spillway_ingest_events_unchanged_total', 'Ingest events that changed nothing', () => counts().unchanged);
  counterFromTotal(registry, 'spillway_ingest_events_mismatched_total', "Ingest events skipped because their profileId is not their stream's", () => counts().mismatched);
  counterFromTotal(registry, 'spillway_profile_cache_hits_total', 'Profile heads found in the cache', () => counts().cacheHits);
  counterFromTotal(registry, 'spillway_profile_cache_misses_total', 'Profile heads not in the cache: read from their stream, or new profiles', () => counts().cacheMisses);
}
