import type { EventStore } from '@spillway/event-streams';
import type { ExportRequested } from '@spillway/pipeline-events';
import { exportEvents } from './export-events.ts';
import { exportEventIdOf } from './export-id.ts';

export interface ExportAppender {
  /**
   * Appends one export request to its `exports-` stream and resolves once it is written.
   * `batchable` says its export id cannot be in the stream yet (see `createExportAppender`);
   * otherwise it goes alone.
   */
  append(stream: string, request: ExportRequested, batchable: boolean): Promise<void>;
  /** Appends sent to the store, and export requests they carried. */
  counts(): { readonly appends: number; readonly requests: number };
}

interface Waiting {
  readonly request: ExportRequested;
  resolve(): void;
  reject(error: unknown): void;
}

/** Export requests in one append: about 40 KB at the usual document size, far under the store's 1 MiB. */
const defaultMaxBatch = 100;

/**
 * Writes the export requests of a stream together while an append to it is in flight: the first
 * one goes at once, the ones decided meanwhile go in the next append. One append per batch
 * instead of one per export is most of what the decider and the store spend on writing them.
 *
 * Why only `batchable` requests: with expected revision `any`, the store (as EventStoreDB)
 * recognises a repeated append by its first event id only, so a batch whose first export is new
 * and a later one already written would write that one twice. A request may be batched only if
 * no earlier append can have written its id: the caller knows that for a profile change that was
 * not in the log when this decider started (no earlier instance saw it). After a failed batch
 * (its outcome is unknown: it may have been written) each of its requests is appended alone,
 * now and whenever it is decided again, where the store deduplicates it by its own id.
 */
export function createExportAppender(store: EventStore, options: { readonly maxBatch?: number } = {}): ExportAppender {
  const maxBatch = options.maxBatch ?? defaultMaxBatch;
  const queues = new Map<string, Waiting[]>();
  const uncertain = new Set<string>();
  const counts = { appends: 0, requests: 0 };

  const write = async (stream: string, requests: readonly ExportRequested[]) => {
    counts.appends++;
    await store.appendEvents(stream, exportEvents, requests.map((request) => ({ type: 'ExportRequested' as const, data: request, id: exportEventIdOf(request) })));
    counts.requests += requests.length;
  };

  const flush = async (stream: string, queue: Waiting[]) => {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        await write(stream, batch.map((waiting) => waiting.request));
        for (const waiting of batch) waiting.resolve();
      } catch {
        for (const waiting of batch) uncertain.add(waiting.request.exportId);
        await Promise.all(batch.map((waiting) => write(stream, [waiting.request]).then(waiting.resolve, waiting.reject)));
      }
    }
    queues.delete(stream);
  };

  return {
    append(stream, request, batchable) {
      if (!batchable || uncertain.has(request.exportId)) return write(stream, [request]);
      return new Promise<void>((resolve, reject) => {
        const waiting = { request, resolve, reject };
        const queue = queues.get(stream);
        if (queue) {
          queue.push(waiting);
          return;
        }
        const started = [waiting];
        queues.set(stream, started);
        void flush(stream, started);
      });
    },
    counts: () => ({ ...counts }),
  };
}
