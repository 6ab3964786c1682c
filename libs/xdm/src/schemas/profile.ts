import { z } from 'zod';
import { isReservedKey } from '../json.ts';
import { epochMsSchema, guardedRecord, idSchema, isoInstantSchema } from './primitives.ts';

const namespacePattern = /^[A-Za-z0-9_.$@-]+$/;

/** An identity namespace such as `ecid`, `email_lc_sha256`, `Email`. */
export const identityNamespaceSchema = z
  .string()
  .min(1, { error: 'identity namespace must not be empty' })
  .max(128, { error: 'identity namespace must be at most 128 characters' })
  .regex(namespacePattern, { error: "identity namespace must be letters, digits, '_', '.', '-', '$' or '@'" })
  .refine((namespace) => !isReservedKey(namespace), { error: 'identity namespace is a reserved name' });

/**
 * One identity. Only `id` is kept: XDM's optional `primary` / `authenticatedState` are accepted
 * and dropped, since identities are exported as `{ id }` lists.
 */
export const identitySchema = z.object({
  id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(1024, { error: 'must be at most 1024 characters' }),
});

/** `{ "<namespace>": [ { "id": "..." } ] }`. */
export const identityMapSchema = guardedRecord(
  identityNamespaceSchema,
  z.array(identitySchema, { error: 'must be a list of { id } objects' }),
  'identity namespace',
  'must be an object of namespace -> list of { id }',
);

export const membershipStatusSchema = z.enum(['realized', 'exited'], { error: "must be 'realized' or 'exited'" });

export const membershipSchema = z.strictObject({
  status: membershipStatusSchema,
  lastQualificationTime: isoInstantSchema,
});

/** `segmentMembership`: `{ ups: { <audienceId>: { status, lastQualificationTime } } }`. */
export const segmentMembershipSchema = z.strictObject({
  ups: guardedRecord(idSchema, membershipSchema, 'audience id', 'must be an object of audience id -> membership'),
});

export const audienceOriginSchema = z.enum(['segmentation', 'custom-upload'], {
  error: "must be 'segmentation' or 'custom-upload'",
});

/** The data of `AudienceDefined`; also the audience as the pipeline knows it. */
export const audienceDefinitionSchema = z.strictObject({
  audienceId: idSchema,
  name: z.string({ error: 'must be a string' }).max(1024, { error: 'must be at most 1024 characters' }),
  mergePolicyId: idSchema,
  origin: audienceOriginSchema,
  createdAt: epochMsSchema,
  updatedAt: epochMsSchema,
});

export type Identity = z.infer<typeof identitySchema>;
export type IdentityMap = z.infer<typeof identityMapSchema>;
export type MembershipStatus = z.infer<typeof membershipStatusSchema>;
export type Membership = z.infer<typeof membershipSchema>;
export type SegmentMembership = z.infer<typeof segmentMembershipSchema>;
export type AudienceOrigin = z.infer<typeof audienceOriginSchema>;
export type AudienceDefinition = z.infer<typeof audienceDefinitionSchema>;
