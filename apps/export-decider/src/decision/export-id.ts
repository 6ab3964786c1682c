import { deterministicEventId } from '@spillway/event-streams';

/**
 * The export id: the same for the same (dataflow, profile, sequence) however often the change is
 * decided, so it is also the `ExportRequested` event id (a re-decision writes nothing new) and the
 * `X-Export-Id` a receiver drops duplicates with.
 */
export function exportIdFor(dataflowId: string, profileId: string, sequence: number): string {
  return deterministicEventId('export', dataflowId, profileId, sequence);
}
