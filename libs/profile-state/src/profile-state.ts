import { z } from 'zod';
import {
  identityMapSchema,
  identityNamespaceSchema,
  idSchema,
  membershipStatusSchema,
  segmentMembershipSchema,
  xdmAttributesSchema,
  xdmPathSchema,
} from '@spillway/xdm';

/**
 * A profile as the pipeline folds it from its `ingest-<profileId>` stream. Plain JSON, so the
 * projector can publish it and the decider can validate it with this same schema.
 * `lastQualificationTime`s are held in export form (UTC, whole seconds, `Z`).
 */
export const profileStateSchema = z.strictObject({
  profileId: idSchema,
  attributes: xdmAttributesSchema,
  identityMap: identityMapSchema,
  segmentMembership: segmentMembershipSchema,
});

export const identityRefSchema = z.strictObject({
  namespace: identityNamespaceSchema,
  id: z.string().min(1),
});

/** One audience status written by the change; `previousStatus` null = no status before. */
export const membershipChangeSchema = z.strictObject({
  audienceId: idSchema,
  previousStatus: membershipStatusSchema.nullable(),
  status: membershipStatusSchema,
  lastQualificationTime: z.string(),
});

/** What one ingest event changed on a profile: what the export decision looks at. */
export const profileChangeSchema = z.strictObject({
  profileId: idSchema,
  /** Every leaf path written, even with an unchanged value; `null` removals included. */
  attributesWritten: z.array(xdmPathSchema),
  /** Identities that were not there before. */
  identitiesAdded: z.array(identityRefSchema),
  /** Identities that were there and are gone. */
  identitiesRemoved: z.array(identityRefSchema),
  /** Audience statuses whose status or qualification time changed. */
  membershipsChanged: z.array(membershipChangeSchema),
});

export type ProfileState = z.infer<typeof profileStateSchema>;
export type IdentityRef = z.infer<typeof identityRefSchema>;
export type MembershipChange = z.infer<typeof membershipChangeSchema>;
export type ProfileChange = z.infer<typeof profileChangeSchema>;

export function emptyProfileState(profileId: string): ProfileState {
  return { profileId, attributes: {}, identityMap: {}, segmentMembership: { ups: {} } };
}

export function emptyProfileChange(profileId: string): ProfileChange {
  return { profileId, attributesWritten: [], identitiesAdded: [], identitiesRemoved: [], membershipsChanged: [] };
}

/** True when the change wrote nothing: no decision can come of it. */
export function isEmptyChange(change: ProfileChange): boolean {
  return (
    change.attributesWritten.length === 0 &&
    change.identitiesAdded.length === 0 &&
    change.identitiesRemoved.length === 0 &&
    change.membershipsChanged.length === 0
  );
}
