import { readFileSync } from 'node:fs';
import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { loadAgentConnections } from './connections/agent-connections.ts';
import { parseConnectionSettings } from './connections/connection-settings.ts';
import { runAgent, type Agent } from './delivery/agent.ts';
import type { PublicInfoServer } from './public-info/public-info-server.ts';
import { reportClientCertificate, servePublicInfo } from './public-info/serve-public-info.ts';
import { parseAgentSettings } from './settings.ts';

const logger = createLogger({ service: 'delivery-agent', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let agent: Agent | undefined;
let publicInfo: PublicInfoServer | undefined;
onShutdown(logger, [() => store?.close(), () => agent?.stop(), () => publicInfo?.close()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const settings = parseAgentSettings(process.env);
  const connectionSettings = parseConnectionSettings(process.env);
  // Secret references (env:NAME, file:/path) are resolved here, at run time, never stored.
  const secrets = { env: process.env, readFile: (path: string) => readFileSync(path, 'utf8') };
  const connections = await loadAgentConnections(connectionSettings, secrets);
  reportClientCertificate(connections.clientCertificate, logger, new Date());
  publicInfo = await servePublicInfo(connectionSettings.publicInfo, { clientCertificate: connections.clientCertificate, egressAddresses: connectionSettings.egressAddressList }, logger);
  store = await connectEventStore(connectionString, { logger });
  agent = runAgent({ store, logger, ...settings, secrets, connections });
  const { partition } = settings;
  logger.info('started', { connected: true, store: describeTarget(connectionString), partition: `${partition.index}/${partition.count}`, consumer: agent.consumerName, publicInfo: publicInfo?.url ?? null, egressAddresses: connectionSettings.egressAddressList });
  const running = agent;
  running.done.then(
    () => logger.info('agent stopped', { stats: running.stats() }),
    (error: unknown) => {
      logger.error('agent failed, exiting', { error });
      process.exit(1);
    },
  );
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
