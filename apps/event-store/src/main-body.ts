import { resolve } from 'node:path';
import { createMemoryEngine, openLmdbEngine } from '@spillway/store-engine';
import type { StoreEngine } from '@spillway/store-engine';
import { startStoreServer, type StoreServer } from '@spillway/store-grpc';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import type { Logger } from '@spillway/runtime';
import { parseStoreOptions } from './options.ts';
import type { StoreOptions } from './options.ts';

const logger = createLogger({ service: 'event-store', level: parseLogLevel(process.env['LOG_LEVEL']) });

// A commit that fails (a full disk) rejects the operation's promise, which the engine handles and
// reports, and lmdb-js rejects one more promise of its own with the same error, which nothing can
// await: that one must not end the store. Any other unhandled rejection still does.
process.on('unhandledRejection', (reason) => {
  if (isLmdbCommitFailure(reason)) return;
  logger.error('unhandled rejection, exiting', { error: reason });
  process.exit(1);
});

// lmdb-js prints a failed commit's error (with its stack) with console.error: one JSON line instead,
// so a full disk does not fill the log with stack dumps (the engine reports it, rate-limited).
console.error = (...args: unknown[]) => {
  logger.warn('library error output', { output: args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' ').slice(0, 500) });
};

function isLmdbCommitFailure(reason: unknown): boolean {
  return reason instanceof Error && 'commitError' in reason && reason.message.startsWith('Commit failed');
}

async function openEngine(options: StoreOptions, log: Logger): Promise<StoreEngine> {
  if (options.inMemory) return createMemoryEngine();
  return openLmdbEngine({ dataDir: resolve(options.dataDir), logger: log, onDamagedFile: options.onDamagedData });
}

// Before anything starts: a signal that arrives once the port is open but before the promise
// settles must still stop cleanly, not by the signal's default action.
let engine: StoreEngine | undefined;
let server: StoreServer | undefined;
onShutdown(logger, [() => engine?.close(), () => server?.stop()]);

try {
  const options = parseStoreOptions(process.argv.slice(2), process.env);
  engine = await openEngine(options, logger);
  server = await startStoreServer({ engine, host: options.host, port: options.port, logger });
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
