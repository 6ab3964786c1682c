import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { runDecider } from './decision/decider.ts';

const logger = createLogger({ service: 'export-decider', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let decider: ReturnType<typeof runDecider> | undefined;
onShutdown(logger, [() => store?.close(), () => decider?.stop()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  store = await connectEventStore(connectionString, { logger });
  decider = runDecider(store, logger);
  logger.info('started', { connected: true, store: describeTarget(connectionString) });
  const running = decider;
  running.done.then(
    () => logger.info('decider stopped', { seen: running.seen() }),
    (error: unknown) => {
      logger.error('decider failed, exiting', { error });
      process.exit(1);
    },
  );
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
