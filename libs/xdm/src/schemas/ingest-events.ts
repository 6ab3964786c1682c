import { z } from 'zod';
import { idSchema, isoInstantSchema } from './primitives.ts';
import { identityMapSchema, membershipStatusSchema } from './profile.ts';
import { xdmAttributesSchema } from './xdm-object.ts';

/** `ingest-<profileId>`: attributes written; every leaf counts as written, `null` removes. */
export const profileAttributesWrittenSchema = z.strictObject({
  profileId: idSchema,
  attributes: xdmAttributesSchema,
  writtenAt: isoInstantSchema,
});

/** `ingest-<profileId>`: identities added to the profile's identityMap. */
export const identitiesLinkedSchema = z.strictObject({
  profileId: idSchema,
  identities: identityMapSchema,
});

/** `ingest-<profileId>`: identities removed from the profile's identityMap. */
export const identitiesUnlinkedSchema = identitiesLinkedSchema;

/** `ingest-<profileId>`: the profile's status in one audience. */
export const segmentMembershipChangedSchema = z.strictObject({
  profileId: idSchema,
  audienceId: idSchema,
  status: membershipStatusSchema,
  lastQualificationTime: isoInstantSchema,
});

export type ProfileAttributesWrittenData = z.infer<typeof profileAttributesWrittenSchema>;
export type IdentitiesLinkedData = z.infer<typeof identitiesLinkedSchema>;
export type IdentitiesUnlinkedData = z.infer<typeof identitiesUnlinkedSchema>;
export type SegmentMembershipChangedData = z.infer<typeof segmentMembershipChangedSchema>;
