#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { connectEventStore, parseStoreEnvironment, type EventStore } from '@spillway/event-streams';
import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { createKeyring } from './access/api-keys.ts';
import { createKeyCommand } from './access/create-key-command.ts';
import { startManagementApi, type ManagementApi } from './server.ts';
import { defaultKeysFile, parseApiSettings } from './settings.ts';

// The only place that reads argv and the environment.
const [command, ...rest] = process.argv.slice(2);

if (command === 'api-keys') {
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' }, permissions: { type: 'string' }, 'keys-file': { type: 'string' } } });
  const result = await createKeyCommand(positionals, { name: values.name, permissions: values.permissions, keysFile: values['keys-file'] ?? (process.env['SPILLWAY_API_KEYS_FILE'] || defaultKeysFile) });
  (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
  process.exitCode = result.exitCode;
} else if (command === undefined || command === 'serve') {
  const logger = createLogger({ service: 'management-api', level: parseLogLevel(process.env['LOG_LEVEL']) });
  // Before anything starts: a signal that arrives while starting must still stop cleanly.
  let store: EventStore | undefined;
  let api: ManagementApi | undefined;
  onShutdown(logger, [() => store?.close(), () => api?.close()]);
  try {
    const settings = parseApiSettings(process.env);
    const { connectionString } = parseStoreEnvironment(process.env);
    store = await connectEventStore(connectionString, { logger });
    const options = { store, keyring: createKeyring(settings.keysFile), logger, host: settings.host };
    api = await startManagementApi({ ...options, port: settings.port }).catch(async (error: unknown) => {
      if (settings.portExplicit || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      logger.warn('the default API port is in use: listening on a free port instead (set SPILLWAY_API_PORT to choose one)', { port: settings.port });
      return startManagementApi({ ...options, port: 0 });
    });
    logger.info('started', { connected: true, url: api.url, keysFile: settings.keysFile });
  } catch (error) {
    logger.error('could not start', { error });
    process.exit(1);
  }
} else {
  process.stderr.write(`spillway-api: unknown command '${command}'; use serve (default) or api-keys create --name <name> --permissions <p1,p2>\n`);
  process.exitCode = 2;
}
