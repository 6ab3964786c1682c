import { AppendTooLargeError, InvalidEventError, comparePositions, deterministicEventId, isInPartition, type CatalogEvent, type EventCatalog, type EventStore, type Partition, type Position, type SubscriptionMessage } from '@spillway/event-streams';
import { backfillStreamName, internalStreamPrefixes, type BackfillStatus, type ExportRequested, type ProfileChanged } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DeciderConfig } from '../configuration/decider-config.ts';
import { exportEvents } from '../decision/export-events.ts';
import { exportEventIdOf } from '../decision/export-id.ts';
import { profileIdOfStream } from '../decision/profile-change-checks.ts';
import { backfillEvents, parsePositionText, positionText, profileChangedEvents, profileIndexEvents, profileScanEvents } from './backfill-events.ts';
import { createHistoryIndex, takesProfileAt, worthIndexing, type HistoryIndex } from './history-index.ts';
import { planBackfillExport } from './plan-backfill-export.ts';
import type { LiveWatch, ProfileGate } from './profile-gate.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface BackfillContext {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly partition: Partition;
  readonly partitionText: string;
  readonly now: () => Date;
  readonly config: () => DeciderConfig;
  readonly gate: ProfileGate;
  readonly limiter: RateLimiter;
  /** The live consumer's low watermark: every event up to it is decided. */
  readonly livePosition: () => Position | undefined;
  readonly progressEvery: { readonly profiles: number; readonly ms: number };
  /** Profiles exported side by side. */
  readonly batchSize: number;
  /** Profiles with several versions the first pass keeps in memory at most (see `HistoryIndex`). */
  readonly maxIndexedProfiles: number;
  readonly stopping: () => boolean;
  /** Lets stop() interrupt the scan. */
  readonly onScanOpened: (close: () => Promise<void>) => void;
  readonly onExportRequested: (request: ExportRequested) => void;
}

export type BackfillOutcome = 'completed' | 'interrupted';

/**
 * Runs (or resumes, after `status.position`) one backfill of this partition: a first pass over
 * the `profile-` streams of $all notes each profile's newest revision up to the configuration
 * event's position and which profiles changed after it (`HistoryIndex`); the scan then takes
 * each profile of the partition once, at that newest event, and exports it if it is realized in
 * the audiences. Progress is appended every few hundred profiles or every second; a crash resumes
 * after the last progress, re-exporting at most those profiles, with the same export ids (the
 * store keeps one).
 */
export async function runBackfill(context: BackfillContext, status: BackfillStatus): Promise<BackfillOutcome> {
  const { store, logger } = context;
  const { backfillId, dataflowId } = status;
  const stream = backfillStreamName(dataflowId);
  const upTo = parsePositionText(status.upToPosition);
  const where = { backfillId, dataflowId, partition: context.partitionText };
  let scanned = status.scanned;
  let exported = status.exported;
  let scannedHere = 0;
  let sinceSave = 0;
  let position = status.position === undefined ? undefined : parsePositionText(status.position);
  let savedAt = position;
  let lastSaveMs = Date.now();
  const startedMs = Date.now();

  const saveProgress = async () => {
    if (!position || (savedAt && comparePositions(position, savedAt) === 0)) return;
    const text = positionText(position);
    const ratePerSecond = Math.round((scannedHere / Math.max(0.001, (Date.now() - startedMs) / 1000)) * 10) / 10;
    const data = { backfillId, dataflowId, partition: context.partitionText, scanned, exported, position: text, ratePerSecond, at: context.now().toISOString() };
    await store.appendEvents(stream, backfillEvents, [{ type: 'BackfillProgress', data, id: deterministicEventId('backfill-progress', backfillId, context.partitionText, text) }]);
    savedAt = position;
    sinceSave = 0;
    lastSaveMs = Date.now();
    logger.debug('backfill progress', { ...where, scanned, exported, position: text, ratePerSecond });
  };

  // Opened before the first pass reads the log: every change after `upTo` is then either in the
  // log that pass reads or asked for by a live holder while the watch is open.
  const watch = context.gate.watchLive();
  try {
    const resuming = position !== undefined;
    const history = await indexHistory(context, position, upTo, where);
    if (!history) return 'interrupted';
    if (!history.complete) logger.info('backfill history not indexed (too many profiles with several versions, or too many versions a profile): reading every profile instead', where);

    const exportProfile = async (candidate: Candidate): Promise<void> => {
      if ((await exportNewestVersion(context, status, upTo, candidate, history, watch)) === 'exported') exported++;
    };

    // Profiles are exported side by side in batches, and the scan (with its rate limiter) goes on
    // collecting the next batch while one is exported: waiting for either alone would leave the
    // other idle. Batches finish in scan order, so the progress position only moves past a batch
    // once all of it and everything before it is done.
    let batch: Candidate[] = [];
    let batchEnd: Position | undefined;
    let exporting: Promise<void> = Promise.resolve();
    const exportBatch = async (profiles: readonly Candidate[], end: Position | undefined) => {
      await Promise.all(profiles.map(exportProfile));
      if (context.stopping()) return;
      scanned += profiles.length;
      scannedHere += profiles.length;
      sinceSave += profiles.length;
      if (end) position = end;
      if (sinceSave >= context.progressEvery.profiles || Date.now() - lastSaveMs >= context.progressEvery.ms) await saveProgress();
    };
    const handOver = async () => {
      await exporting;
      exporting = exportBatch(batch, batchEnd);
      // Its failure is thrown where it is awaited (the next hand-over or the end), not reported as unhandled meanwhile.
      exporting.catch(() => {});
      batch = [];
    };

    const scan = openProfileScan(context, profileScanEvents, position, where);
    let reachedEnd = false;
    try {
      for await (const message of scan.messages) {
        if (context.stopping()) break;
        if (isPastEnd(message, upTo)) {
          reachedEnd = true;
          break;
        }
        const candidate = candidateOf(message, context.partition, history, resuming);
        if (candidate !== undefined) {
          await context.limiter.take();
          batch.push(candidate);
        }
        if ('position' in message && message.position) batchEnd = message.position;
        if (batch.length >= context.batchSize) await handOver();
      }
      if (reachedEnd) await handOver();
      await exporting;
    } finally {
      await scan.close();
    }
    if (context.stopping()) reachedEnd = false;
    if (!reachedEnd) {
      if (position) await saveProgress().catch((error: unknown) => logger.warn('backfill progress not saved at stop', { ...where, error }));
      return 'interrupted';
    }
  } finally {
    watch.close();
  }
  const data = { backfillId, dataflowId, partition: context.partitionText, scanned, exported, completedAt: context.now().toISOString() };
  await store.appendEvents(stream, backfillEvents, [{ type: 'BackfillCompleted', data, id: deterministicEventId('backfill-completed', backfillId, context.partitionText) }]);
  logger.info('backfill completed', { ...where, scanned, exported, seconds: Math.round((Date.now() - startedMs) / 100) / 10 });
  return 'completed';
}

type ScanMessage = SubscriptionMessage<CatalogEvent<typeof profileScanEvents>>;

const openProfileScan = <C extends EventCatalog>(context: BackfillContext, catalog: C, from: Position | undefined, logFields: Readonly<Record<string, unknown>>) => {
  const scan = context.store.openAllSubscription({
    catalog,
    from: from ?? 'start',
    filter: { streamNamePrefixes: [internalStreamPrefixes.profile] },
    logFields: { purpose: 'backfill scan', ...logFields },
  });
  context.onScanOpened(() => scan.close());
  return scan;
};

const isPastEnd = (message: ScanMessage, upTo: Position) =>
  message.kind === 'caught-up' || (message.position !== undefined && comparePositions(message.position, upTo) >= 0);

/**
 * The first pass, from where the scan starts to the head of the log: a profile's events after
 * that start are all the scan has to choose from. Undefined when stopped meanwhile.
 */
async function indexHistory(context: BackfillContext, from: Position | undefined, upTo: Position, logFields: Readonly<Record<string, unknown>>): Promise<HistoryIndex | undefined> {
  const history = createHistoryIndex(upTo, context.maxIndexedProfiles);
  const scan = openProfileScan(context, profileIndexEvents, from, { ...logFields, pass: 'index' });
  // Only a fresh backfill may give up for cost: one resumed with the index must keep it (see takesProfileAt).
  const mayGiveUp = from === undefined;
  let events = 0;
  let profiles = 0;
  const startedMs = Date.now();
  const indexed = () => {
    context.logger.info('backfill history indexed', { ...logFields, events, profiles, complete: history.complete, seconds: Math.round((Date.now() - startedMs) / 100) / 10 });
    return history;
  };
  try {
    for await (const message of scan.messages) {
      if (context.stopping()) return undefined;
      if (message.kind === 'caught-up' || !history.complete) return indexed();
      if (message.kind !== 'event' || ownedProfileOf(message.streamId, context.partition) === undefined) continue;
      history.note(message);
      events++;
      if (message.revision === 0n) profiles++;
      if (mayGiveUp && !worthIndexing(events, profiles)) history.giveUp();
    }
  } finally {
    await scan.close();
  }
  return context.stopping() ? undefined : indexed();
}

/** A profile's newest event up to the backfill's end, as the scan found it. */
interface Candidate {
  readonly profileId: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: Position | undefined;
  readonly data: unknown;
}

/** The profile's event the scan takes it at (see `takesProfileAt`), when this partition owns it. */
function candidateOf(message: ScanMessage, partition: Partition, history: HistoryIndex, resuming: boolean): Candidate | undefined {
  if (message.kind !== 'event') return undefined;
  const profileId = ownedProfileOf(message.streamId, partition);
  if (profileId === undefined || !takesProfileAt(message, history, resuming)) return undefined;
  return { profileId, streamId: message.streamId, revision: message.revision, position: message.position, data: message.event.data };
}

/**
 * Exports the profile's newest version if it is realized in the backfill's audiences. Only a
 * version the live lane has already decided (at or before its low watermark): every live export
 * of this profile is then written and none older can follow; a newer one waits for the gate,
 * which both lanes hold per profile. Otherwise it waits for the live lane to get there.
 *
 * The scan's event is that version unless the profile changed after the backfill's end (the
 * index) or the live lane took it since the first pass (the watch); then its stream is read.
 */
async function exportNewestVersion(context: BackfillContext, status: BackfillStatus, upTo: Position, candidate: Candidate, history: HistoryIndex, watch: LiveWatch): Promise<'exported' | 'nothing'> {
  const { store, logger } = context;
  for (;;) {
    if (context.stopping()) return 'nothing';
    const outcome = await context.gate.run(
      candidate.streamId,
      async () => {
        const read = !history.complete || history.changedAfter(candidate.streamId) || watch.has(candidate.streamId);
        const newest = read ? await readNewest(store, candidate.streamId) : await scannedVersion(logger, candidate);
        if (!newest) return 'nothing' as const;
        const live = context.livePosition();
        if (!newest.position || !live || comparePositions(newest.position, live) > 0) return 'wait' as const;
        return exportVersion(context, status, upTo, candidate.profileId, { ...newest, position: newest.position });
      },
      'backfill',
    );
    if (outcome !== 'wait') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Version {
  readonly changed: ProfileChanged;
  readonly revision: bigint;
  readonly position: Position | undefined;
}

async function readNewest(store: EventStore, streamId: string): Promise<Version | undefined> {
  const [latest] = await store.readStreamEvents(streamId, profileChangedEvents, { direction: 'backwards', maxCount: 1 });
  return latest && { changed: latest.event.data, revision: latest.revision, position: latest.position };
}

/** The scan does not validate what it passes over; the version it exports is validated here, as a read would. */
async function scannedVersion(logger: Logger, candidate: Candidate): Promise<Version | undefined> {
  const parsed = profileChangedEvents.schemas.ProfileChanged.safeParse(candidate.data);
  if (parsed.success) return { changed: parsed.data, revision: candidate.revision, position: candidate.position };
  logger.warn('event rejected', { operation: 'backfill scan', stream: candidate.streamId, revision: candidate.revision, reason: 'schema-mismatch', issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) });
  return undefined;
}

async function exportVersion(context: BackfillContext, status: BackfillStatus, upTo: Position, profileId: string, version: Version & { readonly position: Position }): Promise<'exported' | 'nothing'> {
  const plan = planBackfillExport(context.config(), {
    dataflowId: status.dataflowId,
    audienceIds: status.audienceIds,
    changed: version.changed,
    sequence: Number(version.revision),
    decidedAt: context.now().toISOString(),
    backfillId: status.backfillId,
    decidedLiveUnderThisConfiguration: comparePositions(version.position, upTo) > 0,
  });
  if (plan.kind === 'skip') return 'nothing';
  const { request } = plan.planned;
  try {
    await context.store.appendEvents(plan.planned.stream, exportEvents, [{ type: 'ExportRequested', data: request, id: exportEventIdOf(request) }]);
    context.onExportRequested(request);
    return 'exported';
  } catch (error) {
    if (!(error instanceof AppendTooLargeError || error instanceof InvalidEventError)) throw error;
    context.logger.error('backfill export request refused, skipped', { backfillId: status.backfillId, dataflowId: status.dataflowId, profileId, exportId: request.exportId, reason: error.message });
    return 'nothing';
  }
}

/** The profile of a `profile-` stream, when this partition owns it. */
function ownedProfileOf(streamId: string, partition: Partition): string | undefined {
  const profileId = profileIdOfStream(streamId);
  return profileId !== undefined && isInPartition(profileId, partition) ? profileId : undefined;
}
