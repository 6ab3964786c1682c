import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStoreEnvironment, storeEndpoint } from '@spillway/event-streams';
import { createLogger, parseLogLevel } from '@spillway/runtime';
import { runStack } from './launcher/stack.ts';

// `npm start`: the embedded store on the host/port of EVENTSTORE_CONNECTION_STRING (data in
// SPILLWAY_DATA_DIR, default ./data) and the three services. `--no-store` or
// SPILLWAY_EMBEDDED_STORE=false runs only the services, against an external EventStoreDB.
const logger = createLogger({ service: 'launcher', level: parseLogLevel(process.env['LOG_LEVEL']) });
const root = fileURLToPath(new URL('../../../', import.meta.url));

let firstSignalAt = 0;
const shutdown = new Promise<NodeJS.Signals>((resolveSignal) => {
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      resolveSignal(signal);
    } else if (now - firstSignalAt > 1000) {
      // npm may forward the terminal's Ctrl-C a second time at once; a later signal means "now".
      logger.warn('second signal, exiting without waiting for the processes', { signal });
      process.exit(1);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
});

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const embedded = !process.argv.includes('--no-store') && process.env['SPILLWAY_EMBEDDED_STORE'] !== 'false';
  const endpoint = storeEndpoint(connectionString);
  const dataDir = resolve(process.cwd(), process.env['SPILLWAY_DATA_DIR'] || './data');
  logger.info('starting', { embeddedStore: embedded, store: `${endpoint.host}:${endpoint.port}`, ...(embedded ? { dataDir } : {}) });
  const code = await runStack({
    root,
    connectionString,
    embeddedStore: embedded ? { ...endpoint, dataDir } : undefined,
    env: process.env,
    logger,
    shutdown,
  });
  process.exit(code);
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
