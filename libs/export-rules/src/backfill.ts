import { isRealizedIn, type ProfileState } from '@spillway/profile-state';
import type { DataflowConfig } from '@spillway/xdm';
import { consentBlocks } from './consent.ts';
import type { ExportDecision } from './export-decision.ts';

/**
 * Section 8: when audiences are (newly) mapped to an enabled dataflow, a profile realized in one
 * of them is exported once. Consent applies as for live changes.
 */
export function decideBackfill(profile: ProfileState, dataflow: DataflowConfig, audienceIds: readonly string[]): ExportDecision | undefined {
  if (!dataflow.enabled || consentBlocks(dataflow, profile)) return undefined;
  const mapped = new Set(dataflow.audiences.map((mapping) => mapping.audienceId));
  const realized = audienceIds.filter((audienceId) => mapped.has(audienceId) && isRealizedIn(profile.segmentMembership, audienceId));
  if (realized.length === 0) return undefined;
  return {
    dataflowId: dataflow.dataflowId,
    destinationId: dataflow.destinationId,
    profileId: profile.profileId,
    triggers: ['backfill'],
    changedAudienceIds: realized,
  };
}
