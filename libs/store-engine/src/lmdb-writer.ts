import type { Logger } from '@spillway/runtime';
import { EngineClosedError, EngineFailedError, StoreFullError } from './errors.ts';
import type { Tables } from './lmdb-tables.ts';
import { lastPosition } from './lmdb-tables.ts';
import type { LogEnd } from './lmdb-writes.ts';
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
export type WriteWork<T> = (log: LogEnd) => WriteEffect<T>;

interface Queued {
  readonly work: WriteWork<unknown>;
  readonly resolve: (outcome: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Done = { readonly effect: WriteEffect<unknown> } | { readonly error: unknown };

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
export function createWriter(tables: Tables, logger: Logger, dataDir: string, logChanged: (changes: readonly LogChange[]) => void) {
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
  const failedCommit = async (batch: readonly Queued[], error: unknown) => {
    const cause = await commitCauseOf(error);
    if (await isStorageFull(cause, dataDir)) {
      reportFull(cause, batch.length);
      for (const { reject } of batch) reject(new StoreFullError(dataDir, cause));
      return;
    }
    fail(cause);
    for (const { reject } of batch) reject(new EngineFailedError(cause));
  };

  /**
   * Runs on the main thread inside the write transaction, where lmdb-js runs transactionSync as a
   * child transaction: one that throws is rolled back alone.
   */
  const runBatch = (batch: readonly Queued[]): Done[] => {
    try {
      return tables.root.transactionSync(() => {
        const log: LogEnd = { last: lastPosition(tables) };
        return batch.map(({ work }): Done => ({ effect: work(log) }));
      });
    } catch {
      return batch.map(({ work }): Done => {
        try {
          return { effect: tables.root.transactionSync(() => work({ last: lastPosition(tables) })) };
        } catch (error) {
          return { error };
        }
      });
    }
  };

  const committed = (batch: readonly Queued[], done: readonly Done[]) => {
    tables.root.resetReadTxn(); // reads from here on see this commit
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
    const transaction = tables.root.transaction(() => {
      transactionQueued = false;
      batch = queue;
      queue = [];
      return runBatch(batch);
    });
    inFlight.add(transaction);
    void transaction
      .then(
        (done) => committed(batch, done),
        (error: unknown) => failedCommit(batch, error),
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
      await tables.root.close();
    },
  };
}
