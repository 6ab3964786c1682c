import { deterministicEventId, orderedEventIdAt } from '@spillway/event-streams';
import type { ExportRequested } from '@spillway/pipeline-events';

/**
 * The export id: the same for the same (dataflow, profile, sequence) however often the change is
 * decided, so it is the `X-Export-Id` a receiver drops duplicates with, and its `ExportRequested`
 * event id derives from it (a re-decision writes nothing new).
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

/**
 * The `ExportRequested` event id: from the export id and the time the change was ingested, both
 * the same whichever lane decides the export and however often, so the store writes one export
 * once. Time first (see `orderedEventId`); the export id itself, which receivers see, keeps its form.
 */
export function exportEventIdOf(request: Pick<ExportRequested, 'exportId' | 'ingestedAt'>): string {
  return orderedEventIdAt(request.ingestedAt, 'export', request.exportId);
}
