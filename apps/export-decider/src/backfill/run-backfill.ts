import { AppendTooLargeError, InvalidEventError, comparePositions, deterministicEventId, isInPartition, type EventStore, type Partition, type Position } from '@spillway/event-streams';
import { backfillStreamName, internalStreamPrefixes, profileStreamName, type BackfillStatus, type ExportRequested } from '@spillway/pipeline-events';
import type { Logger } from '@spillway/runtime';
import type { DeciderConfig } from '../configuration/decider-config.ts';
import { exportEvents } from '../decision/export-events.ts';
import { profileIdOfStream } from '../decision/profile-change-checks.ts';
import { backfillEvents, parsePositionText, positionText, profileChangedEvents, profileScanEvents } from './backfill-events.ts';
import { planBackfillExport } from './plan-backfill-export.ts';
import type { ProfileGate } from './profile-gate.ts';
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
  readonly stopping: () => boolean;
  /** Lets stop() interrupt the scan. */
  readonly onScanOpened: (close: () => Promise<void>) => void;
  readonly onExportRequested: (request: ExportRequested) => void;
}

export type BackfillOutcome = 'completed' | 'interrupted';

/**
 * Runs (or resumes, after `status.position`) one backfill of this partition: scans $all for the
 * first event of every `profile-` stream up to the configuration event's position (each profile
 * once, however many versions it has), and for each profile of the partition exports its latest
 * version if it is realized in the audiences. Progress is appended every few hundred profiles or
 * every second; a crash resumes after the last progress, re-exporting at most those profiles,
 * with the same export ids (the store keeps one).
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

  const exportProfile = async (profileId: string): Promise<void> => {
    if ((await exportLatestVersion(context, status, profileId)) === 'exported') exported++;
  };

  // Profiles are exported side by side in batches (each one waits on two store round trips);
  // the progress position only moves past a batch once all of it is done.
  let batch: string[] = [];
  let batchEnd: Position | undefined;
  const flush = async () => {
    const profiles = batch;
    batch = [];
    await Promise.all(profiles.map(exportProfile));
    if (context.stopping()) return;
    scanned += profiles.length;
    scannedHere += profiles.length;
    sinceSave += profiles.length;
    if (batchEnd) position = batchEnd;
    if (sinceSave >= context.progressEvery.profiles || Date.now() - lastSaveMs >= context.progressEvery.ms) await saveProgress();
  };
  const isPastEnd = (message: { readonly kind: string; readonly position?: Position | undefined }) =>
    message.kind === 'caught-up' || (message.position !== undefined && comparePositions(message.position, upTo) >= 0);

  const scan = store.openAllSubscription({
    catalog: profileScanEvents,
    from: position ?? 'start',
    filter: { streamNamePrefixes: [internalStreamPrefixes.profile] },
    logFields: { purpose: 'backfill scan', ...where },
  });
  context.onScanOpened(() => scan.close());
  let reachedEnd = false;
  try {
    for await (const message of scan.messages) {
      if (context.stopping()) break;
      if (isPastEnd(message)) {
        reachedEnd = true;
        break;
      }
      const profileId = newProfileOf(message, context.partition);
      if (profileId !== undefined) {
        await context.limiter.take();
        batch.push(profileId);
      }
      if ('position' in message && message.position) batchEnd = message.position;
      if (batch.length >= context.batchSize) await flush();
    }
    if (reachedEnd) await flush();
  } finally {
    await scan.close();
  }
  if (context.stopping()) reachedEnd = false;
  if (!reachedEnd) {
    if (position) await saveProgress().catch((error: unknown) => logger.warn('backfill progress not saved at stop', { ...where, error }));
    return 'interrupted';
  }
  const data = { backfillId, dataflowId, partition: context.partitionText, scanned, exported, completedAt: context.now().toISOString() };
  await store.appendEvents(stream, backfillEvents, [{ type: 'BackfillCompleted', data, id: deterministicEventId('backfill-completed', backfillId, context.partitionText) }]);
  logger.info('backfill completed', { ...where, scanned, exported, seconds: Math.round((Date.now() - startedMs) / 100) / 10 });
  return 'completed';
}

/**
 * Exports the profile's latest version if it is realized in the backfill's audiences. Only a
 * version the live lane has already decided (at or before its low watermark): every live export
 * of this profile is then written and none older can follow; a newer one waits for the gate,
 * which both lanes hold per profile. Otherwise it waits for the live lane to get there.
 */
async function exportLatestVersion(context: BackfillContext, status: BackfillStatus, profileId: string): Promise<'exported' | 'nothing'> {
  const { store, logger } = context;
  for (;;) {
    if (context.stopping()) return 'nothing';
    const outcome = await context.gate.run(profileStreamName(profileId), async () => {
      const [latest] = await store.readStreamEvents(profileStreamName(profileId), profileChangedEvents, { direction: 'backwards', maxCount: 1 });
      if (!latest) return 'nothing' as const;
      const live = context.livePosition();
      if (!latest.position || !live || comparePositions(latest.position, live) > 0) return 'wait' as const;
      const plan = planBackfillExport(context.config(), {
        dataflowId: status.dataflowId,
        audienceIds: status.audienceIds,
        changed: latest.event.data,
        sequence: Number(latest.revision),
        decidedAt: context.now().toISOString(),
      });
      if (plan.kind === 'skip') return 'nothing' as const;
      const { request } = plan.planned;
      try {
        await store.appendEvents(plan.planned.stream, exportEvents, [{ type: 'ExportRequested', data: request, id: request.exportId }]);
        context.onExportRequested(request);
        return 'exported' as const;
      } catch (error) {
        if (!(error instanceof AppendTooLargeError || error instanceof InvalidEventError)) throw error;
        logger.error('backfill export request refused, skipped', { backfillId: status.backfillId, dataflowId: status.dataflowId, profileId, exportId: request.exportId, reason: error.message });
        return 'nothing' as const;
      }
    });
    if (outcome !== 'wait') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The profile whose stream starts with this event (each profile once in the scan), when this partition owns it. */
function newProfileOf(message: { readonly kind: string; readonly revision?: bigint; readonly streamId?: string }, partition: Partition): string | undefined {
  if (message.kind !== 'event' || message.revision !== 0n || message.streamId === undefined) return undefined;
  const profileId = profileIdOfStream(message.streamId);
  return profileId !== undefined && isInPartition(profileId, partition) ? profileId : undefined;
}
