import { publicEvent, type IngestEvent } from './events.ts';
import type { XdmObject } from './json.ts';
import type { IdentityMap, MembershipStatus } from './schemas/profile.ts';

/**
 * Typed constructors for ingest events (sample data, the CLI, tests). They do not validate:
 * writers that take outside input run `parsePublicEvent` first. Times are parameters.
 */
export const ingestEvents = {
  attributesWritten: (profileId: string, attributes: XdmObject, writtenAt: string): IngestEvent =>
    publicEvent('ProfileAttributesWritten', { profileId, attributes, writtenAt }),
  identitiesLinked: (profileId: string, identities: IdentityMap): IngestEvent => publicEvent('IdentitiesLinked', { profileId, identities }),
  identitiesUnlinked: (profileId: string, identities: IdentityMap): IngestEvent => publicEvent('IdentitiesUnlinked', { profileId, identities }),
  membershipChanged: (profileId: string, audienceId: string, status: MembershipStatus, lastQualificationTime: string): IngestEvent =>
    publicEvent('SegmentMembershipChanged', { profileId, audienceId, status, lastQualificationTime }),
};
