import { deterministicEventId } from '@spillway/event-streams';

/**
 * The export id: the same for the same (dataflow, profile, sequence) however often the change is
 * decided, so it is also the `ExportRequested` event id (a re-decision writes nothing new) and the
 * `X-Export-Id` a receiver drops duplicates with.
 */
export function exportIdFor(dataflowId: string, profileId: string, sequence: number): string {
  return deterministicEventId('export', dataflowId, profileId, sequence);
}

/**
 * The export id of a backfill export of a version that the live lane decided under an earlier
 * configuration (or never saw, the dataflow being new): its live export, if there was one, lacked
 * what the backfill is for (an audience just mapped), so this one must not share its id. The same
 * for the same (backfill, profile, version), so a resumed backfill writes nothing twice.
 */
export function backfillExportIdFor(dataflowId: string, profileId: string, sequence: number, backfillId: string): string {
  return deterministicEventId('export', dataflowId, profileId, sequence, 'backfill', backfillId);
}
