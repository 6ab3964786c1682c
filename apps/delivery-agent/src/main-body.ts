import { readFileSync } from 'node:fs';
import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { counterFromTotal, createAgentMetrics, createMetricsRegistry, parseMetricsPort, registerConsumerMetrics, registerSubscriptionLag, serveMetrics, type MetricsServer } from '@spillway/metrics';
import { createLogger, exitWhenFailed, onShutdown, parseLogLevel } from '@spillway/runtime';
import { loadAgentConnections } from './connections/agent-connections.ts';
import { parseConnectionSettings } from './connections/connection-settings.ts';
import { parseDnsServersSetting } from './connections/dns-settings.ts';
import { runAgent, type Agent } from './delivery/agent.ts';
import type { PublicInfoServer } from './public-info/public-info-server.ts';
import { reportClientCertificate, servePublicInfo } from './public-info/serve-public-info.ts';
import { parseAgentSettings } from './settings.ts';

const logger = createLogger({ service: 'delivery-agent', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let agent: Agent | undefined;
let publicInfo: PublicInfoServer | undefined;
let metricsServer: MetricsServer | undefined;
onShutdown(logger, [() => store?.close(), () => agent?.stop(), () => publicInfo?.close(), () => metricsServer?.close()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const settings = parseAgentSettings(process.env);
  const connectionSettings = parseConnectionSettings(process.env);
  const metricsPort = parseMetricsPort(process.env['SPILLWAY_METRICS_PORT']);
  const registry = createMetricsRegistry('delivery-agent');
  // Secret references (env:NAME, file:/path) are resolved here, at run time, never stored.
  const secrets = { env: process.env, readFile: (path: string) => readFileSync(path, 'utf8') };
  const dnsServers = parseDnsServersSetting(process.env);
  const connections = { ...(await loadAgentConnections(connectionSettings, secrets)), ...(dnsServers ? { dnsServers } : {}) };
  reportClientCertificate(connections.clientCertificate, logger, new Date());
  publicInfo = await servePublicInfo(connectionSettings.publicInfo, { clientCertificate: connections.clientCertificate, egressAddresses: connectionSettings.egressAddressList }, logger);
  store = await connectEventStore(connectionString, { logger });
  agent = runAgent({ store, logger, ...settings, secrets, connections, metrics: createAgentMetrics(registry) });
  const counted = agent;
  registerConsumerMetrics(registry, counted.consumerName, () => counted);
  const connected = store;
  registerSubscriptionLag(registry, counted.consumerName, { head: () => connected.readHeadPosition(), position: () => counted.stats().position });
  counterFromTotal(registry, 'spillway_oauth_token_requests_total', 'OAuth token requests sent to token endpoints', () => counted.stats().tokenRequests);
  metricsServer = metricsPort === 'off' ? undefined : await serveMetrics(registry, { port: metricsPort });
  const { partition } = settings;
  logger.info('started', { connected: true, store: describeTarget(connectionString), partition: `${partition.index}/${partition.count}`, consumer: agent.consumerName, publicInfo: publicInfo?.url ?? null, metrics: metricsServer?.url ?? null, egressAddresses: connectionSettings.egressAddressList, dnsServers: dnsServers ?? 'system', senderThreads: settings.senderThreads });
  const running = agent;
  exitWhenFailed(logger, 'agent', running.done, () => ({ stats: running.stats() }));
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
