import type { Logger } from '@spillway/runtime';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import type { CatalogEvent, EventCatalog } from './catalog.ts';
import { createStreamCheckpointStore, type CheckpointStore } from './checkpoint-store.ts';
import type { EventStore } from './connection.ts';
import { HandlerFailedError, isTransient } from './errors.ts';
import { createKeyLanes } from './key-lanes.ts';
import { comparePositions, formatPosition, type Position } from './position.ts';
import { createProgressTracker } from './progress-tracker.ts';
import { recordRejection } from './rejection-stream.ts';
import type { AllFilter, EventMessage, RejectedMessage, SubscriptionMessage } from './subscriptions.ts';
import { createOutageReporter, type OutageReporter } from './store-outage.ts';

export interface ConsumerOptions<C extends EventCatalog> {
  readonly store: EventStore;
  /** Names the checkpoint and rejection streams: letters, digits and dashes. */
  readonly consumer: string;
  readonly catalog: C;
  readonly filter?: AllFilter;
  /**
   * Called once per valid event: one at a time in $all order, or, with `concurrency`, in $all
   * order per key. Must be idempotent (see runConsumer).
   */
  readonly handle: (message: EventMessage<CatalogEvent<C>>) => Promise<void> | void;
  /** Handle events of different keys side by side. @defaultValue one event at a time */
  readonly concurrency?: ConsumerConcurrency<CatalogEvent<C>>;
  /** @defaultValue the `spillway-checkpoint-<consumer>` stream */
  readonly checkpoints?: CheckpointStore;
  /** Store the checkpoint after this many handled events or this long with progress. @defaultValue { events: 100, ms: 1000 } */
  readonly checkpointEvery?: { readonly events?: number; readonly ms?: number };
  /** Also append each rejected event to `spillway-rejections-<consumer>`. @defaultValue true */
  readonly recordRejections?: boolean;
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
  /** Where store outages are told (once, not per waiting event). @defaultValue one of its own */
  readonly outage?: OutageReporter;
}

export interface ConsumerConcurrency<E> {
  /** Events with the same key are handled one at a time in $all order (e.g. the profile id). */
  readonly key: (message: EventMessage<E>) => string;
  /** Events queued or being handled at once, across all keys; the subscription is not read further until one finishes. */
  readonly maxInFlight: number;
}

export interface ConsumerStats {
  readonly handled: number;
  readonly rejected: number;
  /** The low watermark: everything up to here is handled or scanned past. */
  readonly position: Position | undefined;
  /** Events queued or being handled. */
  readonly inFlight: number;
  /** The last position stored as the checkpoint. */
  readonly checkpoint: Position | undefined;
}

export interface Consumer {
  /** Resolves when the consumer has seen everything that was in the store when it started. */
  readonly caughtUp: Promise<void>;
  /** Resolves once stopped (checkpoint stored); rejects if the consumer failed. */
  readonly done: Promise<void>;
  stats(): ConsumerStats;
  /** Stops the subscription, lets the events being handled finish, stores the checkpoint. */
  stop(): Promise<void>;
}

/**
 * Runs `handle` for every event of $all (through `filter`) after the stored checkpoint.
 *
 * At-least-once contract: the checkpoint is stored after handling, every `events` handled
 * events or `ms` of progress (one save at a time, while reading goes on), and on stop. After a
 * crash (no clean stop) the consumer resumes from the last stored checkpoint, so the events
 * handled after it (about `events` events, or `ms` worth, plus those handled while the last
 * save was being stored and the one in hand) are handled again. A clean stop re-handles
 * nothing. Handlers must therefore be idempotent (deterministic event ids, expected revisions).
 *
 * With `concurrency`, up to `maxInFlight` events are in hand at once, one per key at a time.
 * The stored checkpoint is the low watermark: the position before the oldest event not yet
 * finished, so events finished after it may be handled again after a crash, and an unfinished
 * one never is skipped. A stop lets the events being handled finish, drops the ones still
 * queued behind their key (they come again on restart) and stores the watermark.
 *
 * A malformed event is logged, recorded in the rejection stream, counted as progress and
 * skipped. A transient store error from the handler is retried with backoff; any other
 * handler error stops the consumer (`done` rejects with HandlerFailedError) without
 * checkpointing past that event, unless it is raised once `stop()` was called: then the event
 * simply stays unfinished (the checkpoint stays before it, `done` resolves).
 */
export function runConsumer<C extends EventCatalog>(options: ConsumerOptions<C>): Consumer {
  const { store, consumer } = options;
  const logger = (options.logger ?? store.logger).child({ consumer });
  const outage = options.outage ?? createOutageReporter(logger);
  const checkpoints = options.checkpoints ?? createStreamCheckpointStore(store);
  const everyEvents = options.checkpointEvery?.events ?? 100;
  const everyMs = options.checkpointEvery?.ms ?? 1000;
  const stopping = new AbortController();
  let handle: { close(): Promise<void> } | undefined;
  let handled = 0;
  let rejected = 0;
  let progress = createProgressTracker(undefined);
  let saved: Position | undefined;
  let failure: HandlerFailedError | undefined;
  const lanes = createKeyLanes(options.concurrency?.maxInFlight ?? 1);
  const keyOf = options.concurrency?.key ?? (() => '');
  let countAtSave = 0;
  let lastSaveAt = Date.now();
  let saving: Promise<void> = Promise.resolve();
  let checkpointSaving = false;
  let checkpointFailure: unknown;
  let resolveCaughtUp: () => void = () => {};
  let rejectCaughtUp: (error: unknown) => void = () => {};
  const caughtUp = new Promise<void>((resolve, reject) => ((resolveCaughtUp = resolve), (rejectCaughtUp = reject)));
  caughtUp.catch(() => {});

  const progressed = () => {
    const position = progress.watermark();
    return position !== undefined && (saved === undefined || comparePositions(position, saved) > 0);
  };
  const saveCheckpoint = (final = false): Promise<void> => {
    saving = saving.then(async () => {
      const target = progress.watermark();
      const count = handled + rejected;
      if (!target || !progressed()) return;
      const ok = await retryTransient(() => checkpoints.save(consumer, target), final ? 1 : Infinity, 'storing the checkpoint');
      if (!ok) return;
      saved = target;
      countAtSave = count;
      lastSaveAt = Date.now();
    });
    return saving;
  };
  const timer = setInterval(() => {
    if (progressed() && Date.now() - lastSaveAt >= everyMs) void saveCheckpoint().catch(() => {});
  }, everyMs);
  timer.unref();

  async function retryTransient(action: () => Promise<void>, attempts: number, what: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await action();
        outage.succeeded(what);
        return true;
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (attempt + 1 >= attempts || stopping.signal.aborted) {
          logger.error(`gave up ${what}`, { error });
          return false;
        }
        const delayMs = backoffDelay(attempt, options.backoff);
        outage.failed(what, error, attempt + 1, delayMs);
        await sleep(delayMs, stopping.signal);
      }
    }
  }

  /** Handles one event in its key's lane; a failure stops the consumer (nothing after it in the lane runs). */
  function startEvent(message: EventMessage<CatalogEvent<C>>): void {
    const finished = progress.begin(message.position);
    lanes.run(keyOf(message), async () => {
      if (failure || stopping.signal.aborted) return;
      try {
        if (!(await retryTransient(async () => options.handle(message), Infinity, `handling ${message.eventId}`))) return;
      } catch (error) {
        if (stopping.signal.aborted) {
          // The handler gave up because we are stopping (e.g. it aborted a delivery in flight):
          // the event is not finished, the checkpoint stays before it, and it comes again on restart.
          logger.debug('event left unfinished by the stop', { stream: message.streamId, eventId: message.eventId, error });
          return;
        }
        failure ??= new HandlerFailedError(consumer, message, error);
        // Ends the wait for the next message, so the consumer stops even when the store is quiet.
        void handle?.close();
        return;
      }
      handled++;
      finished();
    });
  }

  async function handleRejected(message: RejectedMessage): Promise<boolean> {
    if (options.recordRejections === false) return true;
    return retryTransient(() => recordRejection(store, consumer, message), Infinity, 'recording a rejection');
  }

  async function run(): Promise<void> {
    let from: Position | undefined;
    await retryTransient(async () => void (from = await checkpoints.load(consumer)), Infinity, 'loading the checkpoint');
    progress = createProgressTracker(from);
    saved = from;
    logger.info('consumer started', { from: formatPosition(from) ?? 'start', filter: options.filter });
    if (stopping.signal.aborted) return;
    const subscription = store.openAllSubscription({
      catalog: options.catalog,
      from: from ?? 'start',
      logFields: { consumer },
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    handle = subscription;
    if (stopping.signal.aborted) await subscription.close();
    try {
      await consume(subscription.messages);
    } finally {
      await lanes.idle();
      await subscription.close();
    }
    if (failure) throw failure;
    if (checkpointFailure !== undefined) throw checkpointFailure;
  }

  async function consume(messages: AsyncIterable<SubscriptionMessage<CatalogEvent<C>>>): Promise<void> {
    for await (const message of messages) {
      if (!(await take(message))) return;
      // Backpressure: the next message is read only once there is room for it.
      await lanes.room();
      if (failure || checkpointFailure !== undefined || stopping.signal.aborted) return;
      if (!checkpointSaving && checkpointDue() && progressed()) saveCheckpointAside();
    }
  }

  function checkpointDue(): boolean {
    return handled + rejected - countAtSave >= everyEvents || Date.now() - lastSaveAt >= everyMs;
  }

  /**
   * Reading goes on while the checkpoint is stored: awaiting each save here made every store
   * round trip a pause in the subscription (a loaded store takes tens of milliseconds to commit).
   */
  function saveCheckpointAside(): void {
    checkpointSaving = true;
    void saveCheckpoint()
      .catch((error: unknown) => {
        checkpointFailure ??= error;
        void handle?.close();
      })
      .finally(() => (checkpointSaving = false));
  }

  /** Takes one message in hand; false when stopping interrupted it (nothing advanced). */
  async function take(message: SubscriptionMessage<CatalogEvent<C>>): Promise<boolean> {
    switch (message.kind) {
      case 'event':
        startEvent(message);
        return true;
      case 'rejected': {
        const finished = progress.begin(message.position);
        if (!(await handleRejected(message))) return false;
        rejected++;
        finished();
        return true;
      }
      case 'checkpoint':
        progress.mark(message.position);
        return true;
      case 'caught-up':
        progress.mark(undefined, resolveCaughtUp);
        return true;
      default:
        return assertNever(message);
    }
  }

  const done = run()
    .then(
      () => saveCheckpoint(true),
      async (error: unknown) => {
        logger.error('consumer failed', { error });
        await saveCheckpoint(true).catch(() => {});
        throw error;
      },
    )
    .finally(() => {
      clearInterval(timer);
      rejectCaughtUp(new Error(`consumer ${consumer} stopped before catching up`));
      logger.info('consumer stopped', { handled, rejected, checkpoint: formatPosition(saved) });
    });
  done.catch(() => {});

  return {
    caughtUp,
    done,
    stats: () => ({ handled, rejected, position: progress.watermark(), inFlight: lanes.inFlight(), checkpoint: saved }),
    async stop() {
      if (!stopping.signal.aborted) {
        stopping.abort();
        await handle?.close();
      }
      await done.catch(() => {});
    },
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
