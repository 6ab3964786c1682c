import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { runProjector } from './projection/projector.ts';

const logger = createLogger({ service: 'profile-projector', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let projector: ReturnType<typeof runProjector> | undefined;
onShutdown(logger, [() => store?.close(), () => projector?.stop()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  store = await connectEventStore(connectionString, { logger });
  projector = runProjector(store, logger);
  logger.info('started', { connected: true, store: describeTarget(connectionString) });
  const running = projector;
  running.done.then(
    () => logger.info('projector stopped', { seen: running.seen() }),
    (error: unknown) => {
      logger.error('projector failed, exiting', { error });
      process.exit(1);
    },
  );
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
