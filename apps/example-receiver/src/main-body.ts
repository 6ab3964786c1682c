import { createLogger, onShutdown, parseLogLevel } from '@spillway/runtime';
import { parseReceiverOptions } from './options.ts';
import { startExampleReceiver, type ExampleReceiver } from './receiver-server.ts';

// Logs go to stderr; stdout carries only the received exports, one JSON line each.
const logger = createLogger({ service: 'example-receiver', level: parseLogLevel(process.env['LOG_LEVEL']) });

// Before anything starts: the launcher may signal as soon as the port is open.
let receiver: ExampleReceiver | undefined;
onShutdown(logger, [() => receiver?.close()]);

try {
  const options = parseReceiverOptions(process.env);
  receiver = await startExampleReceiver({ ...options, logger, print: (line) => process.stdout.write(line + '\n') });
  logger.info('listening', { url: receiver.url, exports: `${receiver.url}/exports` });
} catch (error) {
  logger.error('could not start', { error });
  process.exit(1);
}
