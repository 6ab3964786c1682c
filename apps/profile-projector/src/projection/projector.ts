import {
  comparePositions,
  partitionConsumerName,
  runConsumer,
  type CheckpointStore,
  type Consumer,
  type EventStore,
  type Partition,
  type Position,
} from '@spillway/event-streams';
import { createLruCache, type Logger } from '@spillway/runtime';
import { ingestInputEvents, ingestInputFilter, profileIdOfStream } from './ingest-events.ts';
import type { ProfileHead } from './profile-head.ts';
import { createIngestProjection, type ProjectionCounts } from './project-ingest-event.ts';

export const projectorService = 'profile-projector';

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly partition: Partition;
  /** Profiles kept in memory (least recently used ones are read again from their stream). */
  readonly cacheSize: number;
  /** Ingest events in hand at once, across profiles. */
  readonly maxInFlight: number;
  /** @defaultValue `profile-projector-<k>-of-<n>` */
  readonly consumer?: string;
  readonly checkpointEvery?: { readonly events?: number; readonly ms?: number };
  /** Only the profiles whose ids start with this (tests sharing a store). @defaultValue every profile */
  readonly profileIdPrefix?: string;
  /** @defaultValue the `spillway-checkpoint-<consumer>` stream */
  readonly checkpoints?: CheckpointStore;
  /** Told of each ingest event once it is handled (metrics). */
  readonly onIngestEvent?: (eventType: string) => void;
}

export interface Projector extends Consumer {
  counts(): Readonly<ProjectionCounts>;
}

/** Folds the `ingest-*` streams of this instance's profiles into `profile-<id>` streams. */
export function runProjector(options: ProjectorOptions): Projector {
  const consumer = options.consumer ?? partitionConsumerName(projectorService, options.partition);
  const logger = options.logger.child({ consumer });
  const projection = createIngestProjection({
    store: options.store,
    logger,
    consumer,
    partition: options.partition,
    cache: createLruCache<string, ProfileHead>(options.cacheSize),
    writtenSinceStart: writtenSince(startHeadOf(options.store, logger)),
  });
  const running = runConsumer({
    store: options.store,
    logger,
    consumer,
    catalog: ingestInputEvents,
    filter: ingestInputFilter(options.profileIdPrefix),
    // One profile at a time, in stream order; different profiles side by side.
    concurrency: { key: (message) => profileIdOfStream(message.streamId) ?? message.streamId, maxInFlight: options.maxInFlight },
    handle: options.onIngestEvent ? countedBy(options.onIngestEvent, projection.project) : projection.project,
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
  });
  return { ...running, counts: projection.counts };
}

function countedBy<M extends { readonly event: { readonly type: string } }>(onHandled: (eventType: string) => void, handle: (message: M) => Promise<void>) {
  return async (message: M): Promise<void> => {
    await handle(message);
    onHandled(message.event.type);
  };
}

/**
 * The end of the log when this instance started (`{ position: undefined }` for an empty log), or
 * undefined when it could not be read. Assumption, as for per-profile order: one running instance
 * per partition, so an earlier one stopped before this one started.
 */
async function startHeadOf(store: EventStore, logger: Logger): Promise<{ readonly position: Position | undefined } | undefined> {
  try {
    return { position: await store.readHeadPosition() };
  } catch (error) {
    logger.debug('could not read the head of the log: every new profile will be read from its stream', { error });
    return undefined;
  }
}

function writtenSince(startHead: Promise<{ readonly position: Position | undefined } | undefined>) {
  return async (position: Position | undefined): Promise<boolean> => {
    const head = await startHead;
    if (head === undefined || position === undefined) return false;
    return head.position === undefined || comparePositions(position, head.position) > 0;
  };
}
