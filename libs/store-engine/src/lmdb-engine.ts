import { createLogger } from '@spillway/runtime';
import type { Logger } from '@spillway/runtime';
import type { DeleteOutcome, ExpectedRevision, ProposedEvent, StoreEngine } from './engine.ts';
import { DEFAULT_MAX_APPEND_SIZE, assertAppendSize } from './append-limits.ts';
import type { AppendSizeLimits } from './append-limits.ts';
import { InvalidAppendError } from './errors.ts';
import { openDataFile } from './lmdb-data-file.ts';
import type { OnDamagedFile } from './lmdb-data-file.ts';
import { readAllEvents, readAllSelected, readStreamEvents } from './lmdb-reads.ts';
import { appendInTransaction, deleteInTransaction, positionOrNone } from './lmdb-writes.ts';
import { lastPosition, readHead } from './lmdb-tables.ts';
import { RecentEvents } from './recent-events.ts';
import type { RecentEventsLimits } from './recent-events.ts';
import { createWriter } from './lmdb-writer.ts';
import { backfillLimits, removeExpiredEvents } from './lmdb-retention.ts';
import { currentRevisionOf } from './stream-head.ts';

export interface LmdbEngineOptions {
  /** Directory of the data file (`store.mdb`); created if missing. */
  readonly dataDir: string;
  readonly logger?: Logger;
  /** Total size of one append, as EventStoreDB's `MaxAppendSize`. @defaultValue 1 MiB */
  readonly maxAppendSize?: number;
  /** Size of one event, as EventStoreDB's `MaxAppendEventSize`. @defaultValue no limit beyond maxAppendSize */
  readonly maxEventSize?: number;
  /** @defaultValue 'refuse': opening a damaged data file fails with StoreDataDamagedError. */
  readonly onDamagedFile?: OnDamagedFile;
  /** Clock for `created`, in microseconds since the Unix epoch. */
  readonly nowMicros?: () => number;
  /** How much of the newest log the engine keeps decoded for reads at the head (recent-events.ts). */
  readonly recentEvents?: RecentEventsLimits;
  /** How often the events older than their stream's `$maxAge` are removed from streams that get no appends. @defaultValue 60 s */
  readonly expiredEventsSweepMs?: number;
}

/** Longest stream id in UTF-8 bytes: it is part of LMDB keys, which are limited to ~2 KB. */
const MAX_STREAM_ID_BYTES = 1_024;
const MAX_EVENT_ID_LENGTH = 128;
/** Streams with metadata one transaction of the `$maxAge` sweep visits, so that it holds other writes up only briefly. */
const SWEEP_STREAMS_PER_TRANSACTION = 1_000;

/**
 * The durable engine. Operations are batched into LMDB write transactions run on lmdb-js's write
 * thread (lmdb-writer.ts): concurrent operations share a transaction and its fsync (group commit),
 * and an operation's promise resolves after its transaction is committed and fsynced.
 */
export async function openLmdbEngine(options: LmdbEngineOptions): Promise<StoreEngine> {
  const logger = (options.logger ?? createLogger({ service: 'store-engine' })).child({ component: 'lmdb-engine' });
  const started = performance.now();
  const tables = await openDataFile(options.dataDir, options.onDamagedFile ?? 'refuse', logger);
  const limits: AppendSizeLimits = {
    maxAppendSize: options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
    maxAppendEventSize: options.maxEventSize ?? Number.MAX_SAFE_INTEGER,
  };
  const nowMicros = options.nowMicros ?? (() => Date.now() * 1_000);
  const backfilled = backfillLimits(tables);
  const recent = new RecentEvents(lastPosition(tables), options.recentEvents);
  const writer = createWriter(tables, logger, options.dataDir, (changes) => recent.committed(changes));
  logger.info('store opened', {
    dataDir: options.dataDir,
    headPosition: writer.durableHead(),
    streams: (tables.streams.getStats() as { entryCount: number }).entryCount,
    ...(backfilled > 0 ? { streamMetadataBackfilled: backfilled } : {}),
    openMs: Math.round(performance.now() - started),
  });

  const sweep = periodicExpirySweep(options.expiredEventsSweepMs ?? 60_000, async (after) => {
    writer.assertWritable();
    return writer.run(() => {
      const { removed, next } = removeExpiredEvents(tables, after, SWEEP_STREAMS_PER_TRANSACTION, nowMicros());
      return { outcome: next, lastWritten: 0, ...(removed.length > 0 ? { change: { written: [], removed } } : {}) };
    });
  }, logger);

  return {
    async append(streamId, expected, events) {
      writer.assertWritable();
      assertValidAppend(streamId, events);
      assertAppendSize(events, limits);
      return writer.run((log) => appendInTransaction(tables, log, streamId, expected, events, nowMicros()));
    },
    deleteStream: (streamId, expected) => deleteStream(streamId, expected, 'soft'),
    tombstoneStream: (streamId, expected) => deleteStream(streamId, expected, 'hard'),
    readStream(streamId, readOptions) {
      writer.assertOpen();
      return readStreamEvents(tables, streamId, readOptions, nowMicros());
    },
    readAll(readOptions) {
      writer.assertOpen();
      return recent.all(readOptions) ?? readAllEvents(tables, readOptions);
    },
    readAllSelected(readOptions, selector) {
      writer.assertOpen();
      return recent.selected(readOptions, selector) ?? readAllSelected(tables, readOptions, selector);
    },
    currentRevision(streamId) {
      writer.assertOpen();
      return currentRevisionOf(readHead(tables, streamId));
    },
    headPosition: () => positionOrNone(writer.durableHead()),
    onCommitted: (listener) => writer.onCommitted((head) => listener(positionOrNone(head))),
    async close() {
      await sweep.stop();
      await writer.close();
    },
  };

  async function deleteStream(streamId: string, expected: ExpectedRevision, mode: 'soft' | 'hard'): Promise<DeleteOutcome> {
    writer.assertWritable();
    assertValidStreamId(streamId);
    return writer.run((log) => deleteInTransaction(tables, log, streamId, expected, mode));
  }
}

/**
 * Runs `visit` every `everyMs` over all streams with metadata, one transaction at a time (each
 * returns the metadata stream to go on after), never two sweeps at once. A failed sweep is logged
 * and the next one starts over.
 */
function periodicExpirySweep(everyMs: number, visit: (after: string) => Promise<string | undefined>, logger: Logger) {
  let stopped = false;
  let running: Promise<void> | undefined;
  const run = async () => {
    let after: string | undefined = '';
    while (after !== undefined && !stopped) after = await visit(after);
  };
  const timer = setInterval(() => {
    running ??= run()
      .catch((error: unknown) => {
        if (!stopped) logger.warn('removing events older than their $maxAge failed; the next sweep tries again', { error });
      })
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

function assertValidStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new InvalidAppendError(String(streamId), 'the stream id is empty');
  if (Buffer.byteLength(streamId) > MAX_STREAM_ID_BYTES) {
    throw new InvalidAppendError(streamId, `the stream id is longer than ${MAX_STREAM_ID_BYTES} bytes`);
  }
}

function assertValidAppend(streamId: string, events: readonly ProposedEvent[]): void {
  assertValidStreamId(streamId);
  for (const event of events) {
    if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > MAX_EVENT_ID_LENGTH) {
      throw new InvalidAppendError(streamId, `event id '${String(event.id).slice(0, 40)}' is empty or too long`);
    }
  }
}
