import {
  isInPartition,
  logRejection,
  recordRejection,
  WrongExpectedRevisionError,
  type CatalogEvent,
  type EventMessage,
  type EventStore,
  type Partition,
  type Position,
  type RejectedEvent,
} from '@spillway/event-streams';
import type { LruCache, Logger } from '@spillway/runtime';
import { profileIdOfStream, type ingestInputEvents } from './ingest-events.ts';
import { newProfileHead, type ProfileHead } from './profile-head.ts';
import { planProjection, type IngestInput } from './plan-projection.ts';
import { appendProfileChanged, readProfileHead } from './profile-stream.ts';

export type IngestMessage = EventMessage<CatalogEvent<typeof ingestInputEvents>>;

/** Two writers on one profile stream (two instances given the same partition), or a store that lost writes. */
export class ProfileWriteConflictError extends Error {
  readonly type = 'profile-write-conflict';
  readonly profileId: string;
  readonly sourceStream: string;
  readonly sourceEventId: string;
  constructor(profileId: string, input: IngestInput, cause: unknown) {
    super(
      `profile-${profileId} changed under the projector twice while it applied ${input.streamId}@${input.revision}: ` +
        'is another instance running with the same SPILLWAY_PARTITION?',
      { cause },
    );
    this.name = 'ProfileWriteConflictError';
    this.profileId = profileId;
    this.sourceStream = input.streamId;
    this.sourceEventId = input.eventId;
  }
}

export interface ProjectionCounts {
  /** ProfileChanged events appended. */
  projected: number;
  /** Ingest events that changed nothing. */
  unchanged: number;
  /** Ingest events seen again (after a restart) that were applied already. */
  alreadyApplied: number;
  /** Ingest events skipped because their profileId is not their stream's. */
  mismatched: number;
  /** Ingest events of profiles another instance owns. */
  otherPartition: number;
  cacheHits: number;
  /** Profiles not in the cache: read from their stream, or new ones taken as such (see `writtenSinceStart`). */
  cacheMisses: number;
  /** Profile streams read: cache misses other than new profiles, and re-reads after a conflict. */
  streamReads: number;
}

export interface IngestProjectionOptions {
  readonly store: EventStore;
  readonly logger: Logger;
  /** The consumer name, for the rejection stream. */
  readonly consumer: string;
  readonly partition: Partition;
  readonly cache: LruCache<string, ProfileHead>;
  /**
   * Whether an event at this position was written after this instance started, so no earlier
   * instance can have handled it. Then the first event of an ingest stream is taken to start a new
   * profile without reading its (missing) stream. @defaultValue never: every cache miss is read
   */
  readonly writtenSinceStart?: (position: Position | undefined) => Promise<boolean>;
}

export interface IngestProjection {
  /** The consumer handler: safe to run side by side for different profiles, one at a time per profile. */
  project(message: IngestMessage): Promise<void>;
  counts(): Readonly<ProjectionCounts>;
}

export function createIngestProjection(options: IngestProjectionOptions): IngestProjection {
  const { store, logger, cache } = options;
  const counts: ProjectionCounts = { projected: 0, unchanged: 0, alreadyApplied: 0, mismatched: 0, otherPartition: 0, cacheHits: 0, cacheMisses: 0, streamReads: 0 };

  const writtenSinceStart = options.writtenSinceStart ?? (() => Promise.resolve(false));

  /** `assumed`: a new profile's head, taken without reading the stream (see `writtenSinceStart`). */
  async function headOf(profileId: string, input: IngestInput, position: Position | undefined): Promise<{ head: ProfileHead; assumed: boolean }> {
    const cached = cache.get(profileId);
    if (cached) {
      counts.cacheHits++;
      return { head: cached, assumed: false };
    }
    counts.cacheMisses++;
    // Only this ingest stream's events become the profile's stream, so before its first event the
    // profile has none, unless something else wrote it (an import): the append, at no_stream,
    // then fails and the stream is read after all.
    if (input.revision === 0 && (await writtenSinceStart(position))) return { head: newProfileHead, assumed: true };
    return { head: await read(profileId), assumed: false };
  }

  function read(profileId: string): Promise<ProfileHead> {
    counts.streamReads++;
    return readProfileHead(store, profileId);
  }

  async function reportMismatch(message: IngestMessage, streamProfileId: string): Promise<void> {
    counts.mismatched++;
    const rejected: RejectedEvent = {
      streamId: message.streamId,
      eventId: message.eventId,
      eventType: message.event.type,
      revision: message.revision,
      position: message.position,
      reason: {
        kind: 'schema-mismatch',
        issues: [{ path: 'profileId', message: `'${message.event.data.profileId}' does not match the stream's profile id '${streamProfileId}'` }],
      },
    };
    logRejection(logger, rejected, { consumer: options.consumer });
    await recordRejection(store, options.consumer, rejected);
  }

  async function apply(profileId: string, input: IngestInput, position: Position | undefined): Promise<void> {
    let { head, assumed } = await headOf(profileId, input, position);
    for (let attempt = 1; ; attempt++) {
      const plan = planProjection(head, input);
      switch (plan.kind) {
        case 'already-applied':
        case 'unchanged':
          if (plan.kind === 'already-applied') counts.alreadyApplied++;
          else counts.unchanged++;
          // An assumed head is not cached before an append has shown it right.
          if (!assumed) cache.set(profileId, head);
          return;
        case 'append':
          try {
            cache.set(profileId, await appendProfileChanged(store, head, plan.profileChanged));
            counts.projected++;
            return;
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
            cache.delete(profileId);
            if (assumed) {
              // The profile had a stream after all: read it, as without the assumption.
              assumed = false;
              attempt--;
              head = await read(profileId);
              break;
            }
            if (attempt >= 2) throw new ProfileWriteConflictError(profileId, input, error);
            // A stale cache entry or a second writer: the stream is the truth, read it again.
            logger.warn('profile stream moved under the projector, reading it again', {
              profileId,
              stream: error.stream,
              expected: error.expected,
              actual: error.actual,
              sourceEventId: input.eventId,
            });
            head = await read(profileId);
          }
          break;
        default: {
          const unknown: never = plan;
          throw new Error(`unknown plan ${JSON.stringify(unknown)}`);
        }
      }
    }
  }

  return {
    async project(message) {
      const profileId = profileIdOfStream(message.streamId);
      if (profileId === undefined || !isInPartition(profileId, options.partition)) {
        counts.otherPartition++;
        return;
      }
      if (message.event.data.profileId !== profileId) return reportMismatch(message, profileId);
      await apply(
        profileId,
        { streamId: message.streamId, eventId: message.eventId, revision: Number(message.revision), recordedAt: message.recordedAt, event: message.event },
        message.position,
      );
    },
    counts: () => ({ ...counts }),
  };
}
