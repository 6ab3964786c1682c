import { deterministicEventId, type EventStore, type Partition, type Position } from '@spillway/event-streams';
import { backfillStreamName, summarizeBackfills, type BackfillStatus, type ExportRequested } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DeciderConfig } from '../configuration/decider-config.ts';
import { backfillEvents, backfillIdFor, positionText } from './backfill-events.ts';
import type { BackfillHookRequest } from './backfill-hook.ts';
import { defaultIndexedProfiles } from './history-index.ts';
import type { ProfileGate } from './profile-gate.ts';
import { createDeliveryLag } from './delivery-lag.ts';
import { createLiveFirstPace } from './live-first-pace.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { runBackfill, type BackfillContext } from './run-backfill.ts';

/** How often a running backfill reads its dataflow's newest delivery outcomes (delivery-lag.ts). */
const deliveryProbeEveryMs = 250;

export interface BackfillRunnerOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly partition: Partition;
  readonly now: () => Date;
  readonly config: () => DeciderConfig;
  readonly gate: ProfileGate;
  readonly livePosition: () => Position | undefined;
  /** Profiles per second at most (SPILLWAY_BACKFILL_RATE). */
  readonly ratePerSecond: number;
  /**
   * The pace gives way to live traffic: it steps down while live changes reach the decider later than
   * this after their ingest, or the agent records this lane's exports later than this after their
   * append (SPILLWAY_BACKFILL_LIVE_LAG_MS); `off` keeps the rate fixed. @defaultValue 250
   */
  readonly liveLagTargetMs?: number | 'off';
  /** Profiles exported side by side (the rate limit still applies). @defaultValue 64 */
  readonly batchSize?: number;
  /** Profiles with several versions a backfill's first pass keeps in memory at most (about 100 bytes each). @defaultValue 1,000,000 */
  readonly maxIndexedProfiles?: number;
  /** @defaultValue 500 profiles or 1000 ms, whichever comes first */
  readonly progressEvery?: { readonly profiles?: number; readonly ms?: number };
  /**
   * The dataflows this lane backfills; requests for others are only logged. Tests sharing a
   * store use it to keep to their own dataflows. @defaultValue every dataflow
   */
  readonly dataflows?: (dataflowId: string) => boolean;
  /** Told of each export once it is appended (metrics). */
  readonly onExportRequested?: (request: ExportRequested) => void;
}

export interface BackfillRunner {
  /** The decider's backfill hook: records the backfill (awaited by the configuration event) and queues it. */
  request(request: BackfillHookRequest): Promise<void>;
  /** Resolves once every queued backfill has finished (or stopped). */
  settled(): Promise<void>;
  counts(): { readonly completed: number; readonly failed: number };
  /** Interrupts the running backfill (its progress is saved) and drops the queue. */
  stop(): Promise<void>;
  /** A live profile change reached the decider; `ingestedAt` is when its ingest event was appended. */
  observeLiveChange(ingestedAt: string): void;
}

/**
 * The backfill lane of one decider instance: one backfill at a time, each with its own $all
 * reader, paced by a rate limiter shared by all, beside the live consumer.
 *
 * A live configuration event asking for a backfill appends `BackfillStarted` (idempotent id)
 * before the event counts as handled, so the checkpoint never passes a request that is not
 * durable. Configuration events replayed at start (before the checkpoint) only resume the
 * backfills that were started and not completed in this partition.
 */
export function createBackfillRunner(options: BackfillRunnerOptions): BackfillRunner {
  const { store } = options;
  const partitionText = `${options.partition.index}/${options.partition.count}`;
  const logger = options.logger.child({ lane: 'backfill' });
  const liveLag = options.liveLagTargetMs ?? 250;
  const pace = liveLag === 'off' ? undefined : createLiveFirstPace({ ceilingPerSecond: options.ratePerSecond, targetLagMs: liveLag }, Date.now());
  const limiter = createRateLimiter(pace ? () => pace.current(Date.now()) : options.ratePerSecond);
  const deliveryLag = pace ? createDeliveryLag(store) : undefined;
  // One step per round trip of the signal: exports appended before the pace last gave way
  // were decided at the old pace, so their wait says nothing about the new one.
  let gaveWayAt = 0;
  const watchDeliveries = (dataflowId: string): (() => void) => {
    if (!pace || !deliveryLag || liveLag === 'off') return () => {};
    let probing = false;
    const timer = setInterval(() => {
      if (probing) return;
      probing = true;
      deliveryLag
        .probe(dataflowId)
        .then((wait) => {
          if (!wait || wait.appendedAtMs <= gaveWayAt) return;
          const now = Date.now();
          pace.observeLiveLag(wait.waitedMs, now);
          if (wait.waitedMs > liveLag) gaveWayAt = now;
        })
        .catch((error: unknown) => logger.debug('delivery lag not probed', { dataflowId, error }))
        .finally(() => (probing = false));
    }, deliveryProbeEveryMs);
    timer.unref();
    return () => clearInterval(timer);
  };
  let stopping = false;
  let closeScan: (() => Promise<void>) | undefined;
  let queue: Promise<void> = Promise.resolve();
  const counts = { completed: 0, failed: 0 };
  const context: BackfillContext = {
    store,
    logger,
    partition: options.partition,
    partitionText,
    now: options.now,
    config: options.config,
    gate: options.gate,
    limiter,
    livePosition: options.livePosition,
    batchSize: options.batchSize ?? 64,
    maxIndexedProfiles: options.maxIndexedProfiles ?? defaultIndexedProfiles,
    progressEvery: { profiles: options.progressEvery?.profiles ?? 500, ms: options.progressEvery?.ms ?? 1000 },
    stopping: () => stopping,
    onScanOpened: (close) => (closeScan = close),
    onExportRequested: (request) => {
      deliveryLag?.appended(request.exportId, Date.now());
      options.onExportRequested?.(request);
    },
  };

  const statusOf = async (dataflowId: string, backfillId: string): Promise<BackfillStatus | undefined> => {
    const events = await store.readStreamEvents(backfillStreamName(dataflowId), backfillEvents);
    return summarizeBackfills(events.map((stored) => stored.event)).find((status) => status.backfillId === backfillId && status.partition === partitionText);
  };

  const run = async (dataflowId: string, backfillId: string): Promise<void> => {
    if (stopping) return;
    let stopWatching = () => {};
    const where = { dataflowId, backfillId, partition: partitionText };
    try {
      const status = await statusOf(dataflowId, backfillId);
      if (!status || status.state === 'completed') return;
      stopWatching = watchDeliveries(dataflowId);
      logger.info(status.position ? 'backfill resumed' : 'backfill running', { ...where, audienceIds: status.audienceIds, scanned: status.scanned, exported: status.exported, from: status.position ?? 'start', upTo: status.upToPosition, ratePerSecond: options.ratePerSecond });
      const outcome = await runBackfill(context, status);
      if (outcome === 'completed') counts.completed++;
      else logger.info('backfill interrupted, resumes at the next start', where);
    } catch (error) {
      if (stopping) return;
      counts.failed++;
      logger.error('backfill failed, resumes at the next start', { ...where, error });
    } finally {
      stopWatching();
    }
  };
  const enqueue = (dataflowId: string, backfillId: string) => {
    queue = queue.then(() => run(dataflowId, backfillId));
  };

  return {
    async request(request) {
      if (options.dataflows && !options.dataflows(request.dataflowId)) {
        if (!request.replaying) logger.info('backfill requested for a dataflow this lane does not take, not run', { dataflowId: request.dataflowId, eventId: request.eventId });
        return;
      }
      const backfillId = backfillIdFor(request.dataflowId, request.eventId);
      if (request.replaying) return enqueue(request.dataflowId, backfillId);
      if (!request.position) {
        logger.error('backfill requested by an event without a position, not run', { dataflowId: request.dataflowId, eventId: request.eventId });
        return;
      }
      const data = {
        backfillId,
        dataflowId: request.dataflowId,
        partition: partitionText,
        audienceIds: [...request.audienceIds],
        configStream: request.stream,
        configEventId: request.eventId,
        upToPosition: positionText(request.position),
        startedAt: options.now().toISOString(),
      };
      await store.appendEvents(backfillStreamName(request.dataflowId), backfillEvents, [{ type: 'BackfillStarted', data, id: deterministicEventId('backfill-started', backfillId, partitionText) }]);
      logger.info('backfill requested', { dataflowId: request.dataflowId, audienceIds: request.audienceIds, backfillId, stream: request.stream, eventId: request.eventId });
      enqueue(request.dataflowId, backfillId);
    },
    settled: () => queue,
    counts: () => ({ ...counts }),
    observeLiveChange(ingestedAt) {
      const now = Date.now();
      pace?.observeLiveLag(now - Date.parse(ingestedAt), now);
    },
    async stop() {
      stopping = true;
      await closeScan?.();
      await queue;
    },
  };
}
