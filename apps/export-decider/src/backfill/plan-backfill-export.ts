import { decideBackfill } from '@spillway/export-rules';
import { buildExportDocument } from '@spillway/payloads';
import { exportsStreamName, type ProfileChanged } from '@spillway/pipeline-events';
import type { DeciderConfig } from '../configuration/decider-config.ts';
import { backfillExportIdFor, exportIdFor } from '../decision/export-id.ts';
import type { PlannedExport } from '../decision/plan-exports.ts';

export interface BackfillProfile {
  readonly dataflowId: string;
  /** The audiences the backfill is for (newly mapped by the configuration event). */
  readonly audienceIds: readonly string[];
  /** The profile's latest `ProfileChanged`, and its revision (the export sequence). */
  readonly changed: ProfileChanged;
  readonly sequence: number;
  readonly decidedAt: string;
  readonly backfillId: string;
  /**
   * The version comes after the configuration event that started the backfill in the log: the
   * live lane decided it under this configuration, so an export of it is the live one.
   */
  readonly decidedLiveUnderThisConfiguration: boolean;
}

export type BackfillPlan =
  | { readonly kind: 'export'; readonly planned: PlannedExport }
  /** Nothing to export: not realized in those audiences (or consent), the dataflow gone or disabled, or its destination missing. */
  | { readonly kind: 'skip'; readonly reason: 'not-realized' | 'dataflow-gone' | 'missing-destination' };

/**
 * Section 8 for one profile: `decideBackfill` against the current configuration and the live
 * exports' document builder. A version the live lane decided under this configuration gets the
 * live export id of that version (if it was exported live, the store writes nothing twice); an
 * older one gets an id of its own, since its live export, if any, was built without the audiences
 * the backfill is for. Pure.
 */
export function planBackfillExport(config: DeciderConfig, input: BackfillProfile): BackfillPlan {
  const { changed, sequence, dataflowId } = input;
  const dataflow = config.dataflows.get(dataflowId);
  if (!dataflow?.enabled) return { kind: 'skip', reason: 'dataflow-gone' };
  const decision = decideBackfill(changed.state, dataflow, input.audienceIds);
  if (!decision) return { kind: 'skip', reason: 'not-realized' };
  const destination = config.destinations.get(decision.destinationId);
  if (!destination) return { kind: 'skip', reason: 'missing-destination' };
  const document = buildExportDocument({ profile: changed.state, dataflow, destination, audiences: config.audiences, changedAudienceIds: decision.changedAudienceIds });
  return {
    kind: 'export',
    planned: {
      stream: exportsStreamName(dataflowId),
      request: {
        exportId: input.decidedLiveUnderThisConfiguration
          ? exportIdFor(dataflowId, decision.profileId, sequence)
          : backfillExportIdFor(dataflowId, decision.profileId, sequence, input.backfillId),
        sequence,
        dataflowId,
        destinationId: decision.destinationId,
        profileId: decision.profileId,
        triggers: [...decision.triggers],
        lane: 'backfill',
        document,
        ingestedAt: changed.ingestedAt,
        decidedAt: input.decidedAt,
      },
    },
  };
}
