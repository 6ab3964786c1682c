import type { Logger, LogFields } from '@spillway/runtime';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { isTransient } from './errors.ts';
import { mapStoreError } from './map-store-error.ts';

/** What the client gives us: a readable of items, and a way to end it on the server. */
export interface ClientSubscription extends AsyncIterable<unknown> {
  unsubscribe(): Promise<void>;
  destroy(): void;
  once(event: 'confirmation', listener: () => void): unknown;
}

/** A live subscription: iterate `messages` (once), and `close()` to stop it from anywhere. */
export interface SubscriptionHandle<M> {
  readonly messages: AsyncIterable<M>;
  close(): Promise<void>;
}

export interface ResilientSpec<M> {
  readonly logger: Logger;
  /** Log fields naming the subscription. */
  readonly describe: LogFields;
  readonly backoff?: BackoffOptions | undefined;
  /** Opens the client subscription from the current resume point. */
  open(): ClientSubscription;
  /** Turns one item into a message (or nothing), moving the resume point past it. */
  toMessage(item: unknown): M | undefined;
  /** The resume point, for the log. */
  resumePoint(): string | undefined;
}

/**
 * Keeps a catch-up subscription alive: when the store goes away (or ends the call) it waits
 * with backoff and subscribes again from the last point it handed out, so nothing is lost and
 * nothing is repeated. Errors that retrying cannot fix (a deleted stream) end the iteration.
 */
export function openResilientSubscription<M>(spec: ResilientSpec<M>): SubscriptionHandle<M> {
  const stopping = new AbortController();
  let current: ClientSubscription | undefined;
  let started = false;

  async function* run(): AsyncGenerator<M> {
    let attempt = 0;
    let dropped = false;
    while (!stopping.signal.aborted) {
      const subscription = spec.open();
      current = subscription;
      if (dropped) {
        subscription.once('confirmation', () => spec.logger.info('subscription resumed', { ...spec.describe, resumeFrom: spec.resumePoint() }));
      }
      let failure: unknown;
      try {
        for await (const item of subscription) {
          attempt = 0;
          const message = spec.toMessage(item);
          if (message !== undefined) yield message;
          if (stopping.signal.aborted) return;
        }
      } catch (error) {
        failure = error;
      } finally {
        current = undefined;
        await endQuietly(subscription);
      }
      if (stopping.signal.aborted) return;
      const mapped = failure === undefined ? undefined : mapStoreError(failure, { operation: 'subscribe', ...streamOf(spec.describe) });
      if (mapped && !isTransient(mapped)) throw mapped;
      const delayMs = backoffDelay(attempt++, spec.backoff);
      dropped = true;
      spec.logger.warn('subscription dropped, reconnecting', {
        ...spec.describe,
        reason: mapped ? mapped.message : 'the store ended the subscription',
        attempt,
        delayMs,
        resumeFrom: spec.resumePoint(),
      });
      await sleep(delayMs, stopping.signal);
    }
  }

  const iterator = run();
  return {
    messages: {
      [Symbol.asyncIterator]() {
        if (started) throw new Error('a subscription can be iterated once');
        started = true;
        return iterator;
      },
    },
    async close() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      const subscription = current;
      if (subscription) await endQuietly(subscription);
      if (!started) await iterator.return(undefined);
    },
  };
}

async function endQuietly(subscription: ClientSubscription): Promise<void> {
  try {
    await subscription.unsubscribe();
  } catch {
    // already gone: the connection it ran on is closed
  }
  subscription.destroy();
}

function streamOf(describe: LogFields): { stream?: string } {
  return typeof describe['stream'] === 'string' ? { stream: describe['stream'] } : {};
}
