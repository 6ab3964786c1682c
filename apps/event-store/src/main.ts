import { resolve } from 'node:path';
import { createMemoryEngine, openLmdbEngine } from '@spillway/store-engine';
import type { StoreEngine } from '@spillway/store-engine';
import { startStoreServer } from '@spillway/store-grpc';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import type { Logger } from '@spillway/runtime';
import { parseStoreOptions } from './options.ts';
import type { StoreOptions } from './options.ts';

const logger = createLogger({ service: 'event-store', level: parseLogLevel(process.env['LOG_LEVEL']) });

async function openEngine(options: StoreOptions, log: Logger): Promise<StoreEngine> {
  if (options.inMemory) return createMemoryEngine();
  return openLmdbEngine({ dataDir: resolve(options.dataDir), logger: log, onDamagedFile: options.onDamagedData });
}

try {
  const options = parseStoreOptions(process.argv.slice(2), process.env);
  const engine = await openEngine(options, logger);
  const server = await startStoreServer({ engine, host: options.host, port: options.port, logger });
  onShutdown(logger, [() => engine.close(), () => server.stop()]);
  logger.info('listening', {
    host: options.host,
    port: server.port,
    engine: options.inMemory ? 'memory' : 'lmdb',
    ...(options.inMemory ? {} : { dataDir: resolve(options.dataDir) }),
  });
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
