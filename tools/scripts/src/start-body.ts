import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStoreEnvironment, storeEndpoint } from '@spillway/event-streams';
import { createLogger, onShutdownSignal, parseLogLevel } from '@spillway/runtime';
import { defaultReceiverPort, type ExampleOptions } from './launcher/example.ts';
import { runStack } from './launcher/stack.ts';

// `npm start`: the embedded store on the host/port of EVENTSTORE_CONNECTION_STRING (data in
// SPILLWAY_DATA_DIR, default ./data), the example receiver (RECEIVER_PORT, default 8787), the
// three services and the management API (SPILLWAY_API_PORT, default 8791), then `spillway apply` of the example configuration (SPILLWAY_EXAMPLE_CONFIG,
// default examples/spillway.yaml). `--no-store` or SPILLWAY_EMBEDDED_STORE=false runs against an
// external EventStoreDB; `--no-example` or SPILLWAY_EXAMPLE=false leaves the example out.
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
  onShutdownSignal(onSignal);
});

// Modules load synchronously, so a Ctrl-C that came meanwhile reaches the handler only once the
// event loop turns: let it, and start nothing if it did.
await new Promise((resolveTurn) => setImmediate(resolveTurn));
if (firstSignalAt !== 0) {
  logger.info('stopped before starting anything', { signal: await shutdown });
  process.exit(0);
}

try {
  const { connectionString } = parseStoreEnvironment(process.env);
  const embedded = !process.argv.includes('--no-store') && process.env['SPILLWAY_EMBEDDED_STORE'] !== 'false';
  const endpoint = storeEndpoint(connectionString);
  const dataDir = resolve(process.cwd(), process.env['SPILLWAY_DATA_DIR'] || './data');
  const example = exampleOptions(process.env);
  logger.info('starting', {
    embeddedStore: embedded,
    store: `${endpoint.host}:${endpoint.port}`,
    ...(embedded ? { dataDir } : {}),
    example: example ? example.configFile : false,
  });
  const code = await runStack({
    root,
    connectionString,
    embeddedStore: embedded ? { ...endpoint, dataDir } : undefined,
    example,
    env: process.env,
    logger,
    shutdown,
  });
  process.exit(code);
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}

function exampleOptions(env: NodeJS.ProcessEnv): ExampleOptions | undefined {
  if (process.argv.includes('--no-example') || env['SPILLWAY_EXAMPLE'] === 'false') return undefined;
  const port = env['RECEIVER_PORT'] ? Number(env['RECEIVER_PORT']) : defaultReceiverPort;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`RECEIVER_PORT must be a port number (1-65535), got '${env['RECEIVER_PORT']}'`);
  return { configFile: resolve(process.cwd(), env['SPILLWAY_EXAMPLE_CONFIG'] || 'examples/spillway.yaml'), receiverPort: port };
}
