import { createLogger, holdShutdownSignals, parseLogLevel } from '@spillway/runtime';

// The launcher's modules load after this: a Ctrl-C meanwhile would otherwise kill it by the
// signal's default action, leaving whatever it had started running.
holdShutdownSignals();
createLogger({ service: 'launcher', level: parseLogLevel(process.env['LOG_LEVEL']) }).debug('loading');
await import('./start-body.ts');
