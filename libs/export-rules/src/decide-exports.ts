import { isMembershipTransition, type ProfileChange, type ProfileState } from '@spillway/profile-state';
import { consentBlocks } from './consent.ts';
import { dataflowsRealizedIn, type DataflowIndex, type IndexedDataflow } from './dataflow-index.ts';
import type { ExportDecision, TriggerKind } from './export-decision.ts';

export interface DecideExportsInput {
  /** The profile after the change. */
  readonly profile: ProfileState;
  readonly change: ProfileChange;
  /** The enabled dataflows (see indexDataflows). */
  readonly dataflows: DataflowIndex;
}

interface Pending {
  readonly triggers: Set<TriggerKind>;
  readonly changedAudienceIds: string[];
}

/**
 * Section 6: for each enabled dataflow D, export the profile when the change
 * 1. moves its status in an audience mapped in D (none -> realized, realized -> exited,
 *    exited -> realized); or
 * 2. adds or removes an identity, and the profile is realized in an audience mapped in D; or
 * 3. writes an attribute mapped in D (or a path inside or around one), even with an unchanged
 *    value, and the profile is realized in an audience mapped in D.
 * Section 12: a dataflow with consent on skips a profile whose `consents.share.val` is `n`.
 */
export function decideExports({ profile, change, dataflows }: DecideExportsInput): ExportDecision[] {
  const pending = new Map<IndexedDataflow, Pending>();
  const hit = (entry: IndexedDataflow, kind: TriggerKind): Pending => {
    let found = pending.get(entry);
    if (!found) pending.set(entry, (found = { triggers: new Set(), changedAudienceIds: [] }));
    found.triggers.add(kind);
    return found;
  };

  for (const membership of change.membershipsChanged) {
    if (!isMembershipTransition(membership)) continue;
    for (const entry of dataflows.byAudience.get(membership.audienceId) ?? []) {
      hit(entry, 'membership').changedAudienceIds.push(membership.audienceId);
    }
  }

  const identityChanged = change.identitiesAdded.length > 0 || change.identitiesRemoved.length > 0;
  if (identityChanged || change.attributesWritten.length > 0) {
    const realized = dataflowsRealizedIn(profile, dataflows);
    if (realized.size > 0) {
      if (identityChanged) for (const entry of realized) hit(entry, 'identity');
      for (const path of change.attributesWritten) {
        for (const entry of dataflows.byAttribute.touching(path)) if (realized.has(entry)) hit(entry, 'attribute');
      }
    }
  }

  return [...pending]
    .filter(([entry]) => !consentBlocks(entry.dataflow, profile))
    .sort(([a], [b]) => a.order - b.order)
    .map(([entry, found]) => ({
      dataflowId: entry.dataflow.dataflowId,
      destinationId: entry.dataflow.destinationId,
      profileId: profile.profileId,
      triggers: [...found.triggers],
      changedAudienceIds: found.changedAudienceIds,
    }));
}
