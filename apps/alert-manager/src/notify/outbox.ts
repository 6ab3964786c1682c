import type { AlertDecision, AlertSubscription } from '@spillway/alert-rules';
import type { CatalogEvent, EventStore, StoredEvent } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import { alertStreamName } from '@spillway/pipeline-events';
import { alertEvents } from '../manager/write-decisions.ts';
import type { Notifier } from './notifier.ts';
import { findUntoldTail, type UntoldTail } from './untold-tail.ts';

export interface OutboxOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly notifier: Notifier;
  /** Ends every queue: a notification it cuts short is sent again after the restart. */
  readonly signal: AbortSignal;
  /** How long a queue whose store read or record failed first waits before trying again; doubles, up to 30 s. @defaultValue 1000 */
  readonly retryAfterMs?: number;
  /** Decisions read from `alerts-<dataflowId>` at a time. @defaultValue 100 */
  readonly pageSize?: number;
  /** A queue has told every decision it was woken for. */
  readonly onIdle?: (dataflowId: string) => void;
}

/**
 * The decisions in `alerts-<dataflowId>` are the outbox: one queue per dataflow sends its untold
 * ones in stream order, so a slow or dead webhook holds up only its own dataflow's notifications.
 */
export interface NotificationOutbox {
  /** Decisions were appended for this subscription's dataflow: send the untold ones (in the background). */
  decided(subscription: AlertSubscription): void;
  /** The dataflow's current subscription (its webhook may have changed), for notifications not sent yet. */
  subscriptionSeen(subscription: AlertSubscription): void;
  /** Whether the dataflow's queue has told every decision it was woken for (and has not failed since). */
  isIdle(dataflowId: string): boolean;
  /** Resolves once every queue has stopped (after the signal) or gone idle. */
  settled(): Promise<void>;
  /** Dataflows whose notifications are being sent, and those waiting to try again after a failure. */
  activity(): NotificationActivity;
}

export interface NotificationActivity {
  readonly sending: number;
  readonly retrying: number;
}

interface Queue {
  subscription: AlertSubscription;
  /** Undefined until read from the store, and again after a failure (the store is the truth). */
  tail: UntoldTail | undefined;
  wanted: boolean;
  draining: Promise<void> | undefined;
  retry: NodeJS.Timeout | undefined;
  failures: number;
}

type AlertEvent = CatalogEvent<typeof alertEvents>;

export const decisionOf = (event: AlertEvent): AlertDecision => (event.type === 'AlertRaised' ? { kind: 'raise', alert: event.data } : { kind: 'resolve', alert: event.data });

export function createNotificationOutbox(options: OutboxOptions): NotificationOutbox {
  const { store, logger, notifier, signal } = options;
  const pageSize = options.pageSize ?? 100;
  const queues = new Map<string, Queue>();

  async function sendUntold(queue: Queue): Promise<void> {
    const { dataflowId } = queue.subscription;
    queue.tail ??= await findUntoldTail(store, dataflowId);
    for (;;) {
      const page: StoredEvent<AlertEvent>[] = await store.readStreamEvents(alertStreamName(dataflowId), alertEvents, { from: queue.tail.from, maxCount: pageSize });
      if (page.length === 0) return;
      for (const stored of page) {
        if (signal.aborted) return;
        if (!queue.tail.skip.has(stored.eventId)) await notifier.notify(queue.subscription, decisionOf(stored.event), stored.eventId);
        queue.tail = { from: stored.revision + 1n, skip: queue.tail.skip };
      }
    }
  }

  async function drain(queue: Queue): Promise<void> {
    while (queue.wanted && !signal.aborted) {
      queue.wanted = false;
      try {
        await sendUntold(queue);
        queue.failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        queue.tail = undefined;
        queue.failures++;
        const retryInMs = Math.min((options.retryAfterMs ?? 1000) * 2 ** (queue.failures - 1), 30_000);
        logger.error('alert notifications failed; trying again', { dataflowId: queue.subscription.dataflowId, retryInMs, error });
        queue.retry = setTimeout(() => wake(queue), retryInMs);
        queue.retry.unref();
        return;
      }
    }
  }

  function wake(queue: Queue): void {
    clearTimeout(queue.retry);
    queue.retry = undefined;
    queue.wanted = true;
    queue.draining ??= drain(queue).finally(() => {
      queue.draining = undefined;
      if (signal.aborted || queue.retry !== undefined) return;
      if (queue.wanted) wake(queue);
      else options.onIdle?.(queue.subscription.dataflowId);
    });
  }

  signal.addEventListener('abort', () => {
    for (const queue of queues.values()) clearTimeout(queue.retry);
  });

  return {
    decided(subscription) {
      if (signal.aborted) return;
      let queue = queues.get(subscription.dataflowId);
      if (queue === undefined) {
        queue = { subscription, tail: undefined, wanted: false, draining: undefined, retry: undefined, failures: 0 };
        queues.set(subscription.dataflowId, queue);
      }
      queue.subscription = subscription;
      wake(queue);
    },
    subscriptionSeen(subscription) {
      const queue = queues.get(subscription.dataflowId);
      if (queue !== undefined) queue.subscription = subscription;
    },
    isIdle(dataflowId) {
      const queue = queues.get(dataflowId);
      return queue !== undefined && queue.draining === undefined && !queue.wanted && queue.retry === undefined;
    },
    async settled() {
      await Promise.all([...queues.values()].map((queue) => queue.draining));
    },
    activity() {
      let sending = 0;
      let retrying = 0;
      for (const queue of queues.values()) {
        if (queue.retry !== undefined) retrying++;
        else if (queue.draining !== undefined || queue.wanted) sending++;
      }
      return { sending, retrying };
    },
  };
}
