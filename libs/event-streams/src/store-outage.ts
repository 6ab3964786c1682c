import type { Logger } from '@spillway/runtime';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { isTransient } from './errors.ts';

/**
 * Tells about a store outage once, not once per waiting operation: a service holding hundreds of
 * events would otherwise write a warn line per event per retry. The first failure is logged at
 * warn; later ones within `quietMs` are only counted, and the next warn line says how many; the
 * first success after an outage logs that the store answers again, and for how long it did not.
 */
export interface OutageReporter {
  failed(what: string, error: unknown, attempt: number, delayMs: number): void;
  succeeded(what: string): void;
}

export function createOutageReporter(logger: Logger, options: { readonly quietMs?: number; readonly now?: () => number } = {}): OutageReporter {
  const quietMs = options.quietMs ?? 5_000;
  const now = options.now ?? Date.now;
  let unavailableSince: number | undefined;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return {
    failed(what, error, attempt, delayMs) {
      const at = now();
      unavailableSince ??= at;
      if (at - lastWarnAt < quietMs) {
        unreported++;
        return;
      }
      logger.warn(`store unavailable while ${what}, retrying`, { error, attempt, delayMs, ...(unreported > 0 ? { otherFailuresSinceLastLine: unreported } : {}) });
      lastWarnAt = at;
      unreported = 0;
    },
    succeeded(what) {
      if (unavailableSince === undefined) return;
      logger.info('store available again', { while: what, unavailableForMs: now() - unavailableSince });
      unavailableSince = undefined;
      lastWarnAt = Number.NEGATIVE_INFINITY;
      unreported = 0;
    },
  };
}

/**
 * Runs `action` again while it fails because the store is unavailable, with backoff, telling the
 * outage to `outage`. Any other error, or an abort of `signal`, ends it with that error.
 */
export async function retryWhileUnavailable<T>(
  what: string,
  action: () => Promise<T>,
  options: { readonly outage: OutageReporter; readonly signal?: AbortSignal; readonly backoff?: BackoffOptions },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await action();
      options.outage.succeeded(what);
      return result;
    } catch (error) {
      if (!isTransient(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt - 1, options.backoff);
      options.outage.failed(what, error, attempt, delayMs);
      await sleep(delayMs, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
