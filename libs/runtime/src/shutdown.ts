import type { Logger } from './logger.ts';

export type Closer = () => Promise<void> | void;

/**
 * Runs the closers (last registered first) once on SIGINT/SIGTERM, then exits 0; a second
 * signal or a closer that hangs past the grace period exits 1.
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
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}
