import { defineEvents } from '@spillway/event-streams';
import { z } from 'zod';

// The public ingest and audience events (streams.md), checked only for the ids the projector
// keys on until the XDM lib brings the full schemas.
const id = z.string().min(1);

export const projectorInputEvents = defineEvents({
  ProfileAttributesWritten: z.looseObject({ profileId: id, attributes: z.record(z.string(), z.unknown()) }),
  IdentitiesLinked: z.looseObject({ profileId: id, identities: z.record(z.string(), z.unknown()) }),
  IdentitiesUnlinked: z.looseObject({ profileId: id, identities: z.record(z.string(), z.unknown()) }),
  SegmentMembershipChanged: z.looseObject({ profileId: id, audienceId: id, status: z.enum(['realized', 'exited']) }),
  AudienceDefined: z.looseObject({ audienceId: id }),
});

export const projectorInputFilter = { streamNamePrefixes: ['ingest-', 'audience-'] } as const;
