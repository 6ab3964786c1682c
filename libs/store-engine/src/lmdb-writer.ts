import type { Logger } from '@spillway/runtime';
import { EngineClosedError, EngineFailedError, StoreFullError } from './errors.ts';
import type { Tables } from './lmdb-tables.ts';
import { lastPosition } from './lmdb-tables.ts';
import type { InTransaction } from './lmdb-writes.ts';
import type { EventIdIndex, Flushed, IdsInTransaction, PublishedIds } from './lmdb-event-ids.ts';
import { commitCauseOf, isStorageFull } from './storage-full.ts';
import type { LogChange } from './recent-events.ts';

/** What a write operation decided. */
export interface WriteEffect<T> {
  readonly outcome: T;
  /** Newest log position it wrote, 0 when it wrote no event. */
  readonly lastWritten: number;
  /** The log rows it wrote and removed, when it changed the log. */
  readonly change?: LogChange;
}

/** A write operation: decides and writes inside the transaction it runs in. */
export type WriteWork<T> = (tx: InTransaction) => WriteEffect<T>;

interface Queued {
  readonly work: WriteWork<unknown>;
  readonly resolve: (outcome: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Done = { readonly effect: WriteEffect<unknown> } | { readonly error: unknown };

/** A batch's operations as run, and the event ids the transaction published and flushed. */
interface RanBatch {
  readonly done: readonly Done[];
  readonly published: PublishedIds;
  readonly flushed: Flushed | undefined;
}

export type LmdbWriter = ReturnType<typeof createWriter>;

/** A full disk is reported once per this many ms (with the count of writes refused meanwhile), not once per write. */
const fullReportEveryMs = 5_000;

/**
 * Group commit. Operations queue here; one LMDB write transaction, run by lmdb-js's write thread,
 * takes every operation queued by the time it starts (those that arrive while it is written and
 * flushed wait for the next one) and runs them in order inside one child transaction. An
 * operation that throws rolls that child back, and the batch runs again with one child
 * transaction per operation, so the operation fails alone. Every operation of a batch resolves
 * once the transaction is committed, which includes its flush. A commit that finds the disk full
 * rejects its batch with StoreFullError and later commits go on; any other failed commit stops writes.
 */
export function createWriter(tables: Tables, eventIds: EventIdIndex, logger: Logger, dataDir: string, logChanged: (changes: readonly LogChange[]) => void) {
  const listeners = new Set<(headPosition: number) => void>();
  const inFlight = new Set<Promise<unknown>>();
  let queue: Queued[] = [];
  let transactionQueued = false;
  let head = lastPosition(tables);
  let notifyQueued = false;
  let closed = false;
  let failure: unknown;

  const notify = () => {
    notifyQueued = false;
    for (const listener of [...listeners]) {
      try {
        listener(head);
      } catch (error) {
        logger.error('onCommitted listener threw', { error });
      }
    }
  };

  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    logger.error('commit failed; refusing further writes until the store is restarted', { error });
  };

  let fullSince: number | undefined;
  let lastFullReport = 0;
  let refusedSinceReport = 0;
  const reportFull = (cause: unknown, refused: number) => {
    const now = Date.now();
    fullSince ??= now;
    refusedSinceReport += refused;
    if (now - lastFullReport < fullReportEveryMs) return;
    lastFullReport = now;
    logger.warn('disk full: writes refused until space is freed; reads go on', { dataDir, cause: String((cause as Error | null)?.message ?? cause), refusedWrites: refusedSinceReport, fullForMs: now - fullSince });
    refusedSinceReport = 0;
  };
  const reportSpaceBack = () => {
    if (fullSince === undefined) return;
    logger.info('disk has space again: writes accepted', { dataDir, fullForMs: Date.now() - fullSince, refusedWrites: refusedSinceReport });
    fullSince = undefined;
    lastFullReport = 0;
    refusedSinceReport = 0;
  };

  /** A full disk refuses this batch only (LMDB rolled it back; the next commit may fit); anything else stops writes. */
  const failedCommit = async (batch: readonly Queued[], ran: RanBatch | undefined, error: unknown) => {
    if (ran !== undefined) eventIds.settled(ran.published, ran.flushed, false);
    const cause = await commitCauseOf(error);
    if (await isStorageFull(cause, dataDir)) {
      reportFull(cause, batch.length);
      for (const { reject } of batch) reject(new StoreFullError(dataDir, cause));
      return;
    }
    fail(cause);
    for (const { reject } of batch) reject(new EngineFailedError(cause));
  };

  /** Puts the pending event ids into their table when enough have gathered; a failure leaves them pending. */
  const flushEventIds = (): Flushed | undefined => {
    try {
      return eventIds.flushIfDue();
    } catch (error) {
      logger.warn('writing pending event ids into their index failed; the next transaction tries again', { error, pending: eventIds.pendingCount });
      return undefined;
    }
  };

  /**
   * Runs on the main thread inside the write transaction, where lmdb-js runs transactionSync as a
   * child transaction: one that throws is rolled back alone, and so are the event ids it wrote.
   */
  const runBatch = (batch: readonly Queued[]): RanBatch => {
    const flushed = flushEventIds();
    const ran = (done: readonly Done[], ids: IdsInTransaction): RanBatch => ({ done, published: eventIds.published(ids), flushed });
    try {
      const ids = eventIds.begin();
      const done = tables.root.transactionSync(() => {
        const tx: InTransaction = { last: lastPosition(tables), ids };
        return batch.map(({ work }): Done => ({ effect: work(tx) }));
      });
      return ran(done, ids);
    } catch {
      let ids = eventIds.begin();
      const done = batch.map(({ work }): Done => {
        const attempt = ids.copy();
        try {
          const effect = tables.root.transactionSync(() => work({ last: lastPosition(tables), ids: attempt }));
          ids = attempt;
          return { effect };
        } catch (error) {
          return { error };
        }
      });
      return ran(done, ids);
    }
  };

  const committed = (batch: readonly Queued[], { done, published, flushed }: RanBatch) => {
    tables.root.resetReadTxn(); // reads from here on see this commit
    eventIds.settled(published, flushed, true);
    reportSpaceBack();
    const changes: LogChange[] = [];
    for (const result of done) if ('effect' in result && result.effect.change !== undefined) changes.push(result.effect.change);
    // Before any operation resolves: whoever sees an acknowledgement can read what it acknowledges.
    if (changes.length > 0) logChanged(changes);
    let newest = head;
    done.forEach((result, index) => {
      const { resolve, reject } = batch[index]!;
      if ('error' in result) {
        logger.error('write operation failed and was rolled back', { error: result.error });
        return reject(result.error);
      }
      newest = Math.max(newest, result.effect.lastWritten);
      resolve(result.effect.outcome);
    });
    if (newest <= head) return;
    head = newest;
    if (!notifyQueued) {
      notifyQueued = true;
      queueMicrotask(notify);
    }
  };

  const startTransaction = () => {
    transactionQueued = true;
    let batch: Queued[] = [];
    let ran: RanBatch | undefined;
    const transaction = tables.root.transaction(() => {
      transactionQueued = false;
      batch = queue;
      queue = [];
      ran = runBatch(batch);
      return ran;
    });
    inFlight.add(transaction);
    void transaction
      .then(
        (result) => committed(batch, result),
        (error: unknown) => failedCommit(batch, ran, error),
      )
      .finally(() => inFlight.delete(transaction));
  };

  return {
    assertOpen() {
      if (closed) throw new EngineClosedError();
    },
    assertWritable() {
      if (closed) throw new EngineClosedError();
      if (failure !== undefined) throw new EngineFailedError(failure);
    },
    /** Newest committed (and flushed) log position, 0 when the log is empty. */
    durableHead: () => head,

    /** Queues `work` for the next transaction; resolves with its outcome once that is committed. */
    run<T>(work: WriteWork<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (outcome: unknown) => void, reject });
        if (!transactionQueued) startTransaction();
      });
    },

    onCommitted(listener: (headPosition: number) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.allSettled([...inFlight]);
      // Not needed for safety (open reads the ids back from the log); it spares the next open that read.
      if (failure === undefined) {
        try {
          eventIds.flushIfDue(true);
        } catch (error) {
          logger.warn('writing pending event ids into their index on close failed; the next open reads them back from the log', { error });
        }
      }
      await tables.root.close();
    },
  };
}
