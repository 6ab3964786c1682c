import { connectEventStore, describeTarget, parsePartition, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { parseBackfillRate } from './backfill/backfill-settings.ts';
import { runDecider, type Decider } from './consumer/run-decider.ts';

const logger = createLogger({ service: 'export-decider', level: parseLogLevel(process.env['LOG_LEVEL']) });
let store: EventStore | undefined;
let decider: Decider | undefined;
onShutdown(logger, [() => store?.close(), () => decider?.stop()]);

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const partition = parsePartition(process.env['SPILLWAY_PARTITION']);
  store = await connectEventStore(connectionString, { logger });
  const backfillRate = parseBackfillRate(process.env['SPILLWAY_BACKFILL_RATE']);
  decider = runDecider({ store, logger, partition, ...(backfillRate === 'off' ? {} : { backfill: { ratePerSecond: backfillRate } }) });
  logger.info('started', { connected: true, store: describeTarget(connectionString), partition: `${partition.index}/${partition.count}`, backfillRate });
  const running = decider;
  running.done.then(
    () => logger.info('decider stopped', { counts: running.counts() }),
    (error: unknown) => {
      logger.error('decider failed, exiting', { error });
      process.exit(1);
    },
  );
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
