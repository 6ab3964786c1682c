import { connectEventStore, describeTarget, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { runProjector, type Projector } from './projection/projector.ts';
import { parseProjectorSettings } from './settings.ts';

const logger = createLogger({ service: 'profile-projector', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let projector: Projector | undefined;
onShutdown(logger, [() => store?.close(), () => projector?.stop()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const settings = parseProjectorSettings(process.env);
  store = await connectEventStore(connectionString, { logger });
  projector = runProjector({ store, logger, ...settings });
  logger.info('started', {
    connected: true,
    store: describeTarget(connectionString),
    partition: `${settings.partition.index}/${settings.partition.count}`,
    cacheSize: settings.cacheSize,
    maxInFlight: settings.maxInFlight,
  });
  const running = projector;
  running.done.then(
    () => logger.info('projector stopped', { counts: running.counts() }),
    (error: unknown) => {
      logger.error('projector failed, exiting', { error });
      process.exit(1);
    },
  );
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
