import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { runAgent } from './delivery/agent.ts';

const logger = createLogger({ service: 'delivery-agent', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let agent: ReturnType<typeof runAgent> | undefined;
onShutdown(logger, [() => store?.close(), () => agent?.stop()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  store = await connectEventStore(connectionString, { logger });
  agent = runAgent(store, logger);
  logger.info('started', { connected: true, store: describeTarget(connectionString) });
  const running = agent;
  running.done.then(
    () => logger.info('agent stopped', { seen: running.seen() }),
    (error: unknown) => {
      logger.error('agent failed, exiting', { error });
      process.exit(1);
    },
  );
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
