import type { Logger } from './logger.ts';

export type Closer = () => Promise<void> | void;

/**
 * Runs the closers (last registered first) once on SIGINT/SIGTERM, then exits 0; a second
 * signal or a closer that hangs past the grace period exits 1. Once per process: a later call
 * replaces the closers.
 */
export function onShutdown(logger: Logger, closers: Closer[], graceMs = 10_000): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown took too long, exiting', { graceMs });
      process.exit(1);
    }, graceMs);
    timer.unref();
    for (const close of [...closers].reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error('error while shutting down', { error });
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  onShutdownSignal((signal) => void stop(signal));
}

const shutdownSignals = ['SIGINT', 'SIGTERM'] as const;
let listening = false;
let handler: ((signal: NodeJS.Signals) => void) | undefined;
let heldSignal: NodeJS.Signals | undefined;

/**
 * For a main that loads its modules after this call (a dynamic import): a SIGINT or SIGTERM that
 * arrives while they load would otherwise kill the process by the signal's default action. The
 * signal is kept, and onShutdown, once registered, stops the process with it (exit 0). One
 * listener for the whole process, installed once and never removed: a signal libuv has caught but
 * not yet dispatched (the main thread busy loading modules) would be lost with a removed one.
 */
export function holdShutdownSignals(): void {
  if (listening) return;
  listening = true;
  for (const name of shutdownSignals) {
    process.on(name, (signal) => {
      if (handler !== undefined) return handler(signal);
      // Later ones add nothing: npm forwards the terminal's Ctrl-C that the launcher also got.
      heldSignal ??= signal;
    });
  }
}

/**
 * Hands every SIGINT and SIGTERM to `handle` from now on, starting with one held since
 * holdShutdownSignals (the process was asked to stop while loading: nothing has started yet).
 * Once per process, like onShutdown, which uses it.
 */
export function onShutdownSignal(handle: (signal: NodeJS.Signals) => void): void {
  holdShutdownSignals();
  handler = handle;
  const held = heldSignal;
  heldSignal = undefined;
  if (held !== undefined) handle(held);
}
