import type { LogFields, Logger } from './logger.ts';

/**
 * Watches a service's main loop: when `done` resolves, logs `<what> stopped` with `figures()`;
 * when it rejects, logs `<what> failed, exiting` and exits 1, so a service whose work has
 * stopped never stays up looking healthy (the launcher or the supervisor then sees the exit).
 */
export function exitWhenFailed(logger: Logger, what: string, done: Promise<unknown>, figures: () => LogFields): void {
  done.then(
    () => logger.info(`${what} stopped`, figures()),
    (error: unknown) => {
      logger.error(`${what} failed, exiting`, { error });
      process.exit(1);
    },
  );
}
