import { decideExports } from '@spillway/export-rules';
import { buildExportDocument } from '@spillway/payloads';
import { exportsStreamName, type ExportRequested, type ProfileChanged } from '@spillway/pipeline-events';
import type { DeciderConfig } from '../configuration/decider-config.ts';
import { exportIdFor } from './export-id.ts';

export interface ProfileChangeToDecide {
  readonly changed: ProfileChanged;
  /** Revision of the `ProfileChanged` event in `profile-<profileId>`: the export sequence. */
  readonly sequence: number;
  /** When the decision is made (the injected clock), ISO-8601. */
  readonly decidedAt: string;
}

export interface PlannedExport {
  /** `exports-<dataflowId>` */
  readonly stream: string;
  readonly request: ExportRequested;
}

/** Configuration problems a decision ran into; the caller reports them (once per config version). */
export type DecisionProblem =
  /** The dataflow's destination is not configured (never was, or deleted): nothing is exported to it. */
  | { readonly kind: 'missing-destination'; readonly dataflowId: string; readonly destinationId: string }
  /** Mapped audiences without `AudienceDefined`: exported all the same, without name or audience timestamps. */
  | { readonly kind: 'undefined-audiences'; readonly dataflowId: string; readonly audienceIds: readonly string[] };

export interface ExportPlan {
  /** In dataflow order; each is independent of the others. */
  readonly exports: readonly PlannedExport[];
  readonly problems: readonly DecisionProblem[];
}

/**
 * Sections 6, 7 and 12 for one profile change against one configuration snapshot: which enabled
 * dataflows export the profile, and the `ExportRequested` event for each. Pure: the clock and the
 * sequence are inputs, the export id is derived from (dataflow, profile, sequence).
 */
export function planExports(config: DeciderConfig, input: ProfileChangeToDecide): ExportPlan {
  const { changed, sequence, decidedAt } = input;
  const decisions = decideExports({ profile: changed.state, change: changed.change, dataflows: config.index });
  const exports: PlannedExport[] = [];
  const problems: DecisionProblem[] = [];
  for (const decision of decisions) {
    const dataflow = config.dataflows.get(decision.dataflowId);
    const destination = config.destinations.get(decision.destinationId);
    if (!dataflow) throw new Error(`dataflow index out of step with the configuration: ${decision.dataflowId}`);
    if (!destination) {
      problems.push({ kind: 'missing-destination', dataflowId: decision.dataflowId, destinationId: decision.destinationId });
      continue;
    }
    const undefinedAudiences = config.undefinedAudiences.get(decision.dataflowId);
    if (undefinedAudiences) problems.push({ kind: 'undefined-audiences', dataflowId: decision.dataflowId, audienceIds: undefinedAudiences });
    const document = buildExportDocument({
      profile: changed.state,
      dataflow,
      destination,
      audiences: config.audiences,
      changedAudienceIds: decision.changedAudienceIds,
    });
    exports.push({
      stream: exportsStreamName(decision.dataflowId),
      request: {
        exportId: exportIdFor(decision.dataflowId, decision.profileId, sequence),
        sequence,
        dataflowId: decision.dataflowId,
        destinationId: decision.destinationId,
        profileId: decision.profileId,
        triggers: [...decision.triggers],
        lane: 'live',
        document,
        ingestedAt: changed.ingestedAt,
        decidedAt,
      },
    });
  }
  return { exports, problems };
}
