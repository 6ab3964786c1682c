import { readFileSync } from 'node:fs';
import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { runAgent, type Agent } from './delivery/agent.ts';
import { parseAgentSettings } from './settings.ts';

const logger = createLogger({ service: 'delivery-agent', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let agent: Agent | undefined;
onShutdown(logger, [() => store?.close(), () => agent?.stop()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const settings = parseAgentSettings(process.env);
  store = await connectEventStore(connectionString, { logger });
  // Secret references (env:NAME, file:/path) are resolved here, at run time, never stored.
  agent = runAgent({ store, logger, ...settings, secrets: { env: process.env, readFile: (path) => readFileSync(path, 'utf8') } });
  const { partition } = settings;
  logger.info('started', { connected: true, store: describeTarget(connectionString), partition: `${partition.index}/${partition.count}`, consumer: agent.consumerName });
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
