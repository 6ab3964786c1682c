import type { z } from 'zod';
import {
  dataflowConfiguredSchema,
  dataflowDeletedSchema,
  destinationConfiguredSchema,
  destinationDeletedSchema,
} from './schemas/configuration-events.ts';
import {
  identitiesLinkedSchema,
  identitiesUnlinkedSchema,
  profileAttributesWrittenSchema,
  segmentMembershipChangedSchema,
} from './schemas/ingest-events.ts';
import { audienceDefinitionSchema } from './schemas/profile.ts';
import { InvalidEventError, fieldIssues } from './validation.ts';

/** The data schema of every public event type of streams.md, by event type name. */
export const publicEventDataSchemas = {
  ProfileAttributesWritten: profileAttributesWrittenSchema,
  IdentitiesLinked: identitiesLinkedSchema,
  IdentitiesUnlinked: identitiesUnlinkedSchema,
  SegmentMembershipChanged: segmentMembershipChangedSchema,
  AudienceDefined: audienceDefinitionSchema,
  DestinationConfigured: destinationConfiguredSchema,
  DestinationDeleted: destinationDeletedSchema,
  DataflowConfigured: dataflowConfiguredSchema,
  DataflowDeleted: dataflowDeletedSchema,
} as const;

type DataSchemas = typeof publicEventDataSchemas;
export type PublicEventType = keyof DataSchemas;

/** A public event as the services handle it: its type name and its validated data. */
export type PublicEventOf<T extends PublicEventType> = { readonly type: T; readonly data: z.infer<DataSchemas[T]> };
export type PublicEvent = { [T in PublicEventType]: PublicEventOf<T> }[PublicEventType];

export const ingestEventTypes = ['ProfileAttributesWritten', 'IdentitiesLinked', 'IdentitiesUnlinked', 'SegmentMembershipChanged'] as const;
export const audienceEventTypes = ['AudienceDefined'] as const;
export const destinationEventTypes = ['DestinationConfigured', 'DestinationDeleted'] as const;
export const dataflowEventTypes = ['DataflowConfigured', 'DataflowDeleted'] as const;

export type IngestEventType = (typeof ingestEventTypes)[number];
export type IngestEvent = Extract<PublicEvent, { type: IngestEventType }>;
export type AudienceEvent = Extract<PublicEvent, { type: (typeof audienceEventTypes)[number] }>;
export type DestinationEvent = Extract<PublicEvent, { type: (typeof destinationEventTypes)[number] }>;
export type DataflowEvent = Extract<PublicEvent, { type: (typeof dataflowEventTypes)[number] }>;

export type ProfileAttributesWritten = PublicEventOf<'ProfileAttributesWritten'>;
export type IdentitiesLinked = PublicEventOf<'IdentitiesLinked'>;
export type IdentitiesUnlinked = PublicEventOf<'IdentitiesUnlinked'>;
export type SegmentMembershipChanged = PublicEventOf<'SegmentMembershipChanged'>;
export type AudienceDefined = PublicEventOf<'AudienceDefined'>;
export type DestinationConfigured = PublicEventOf<'DestinationConfigured'>;
export type DestinationDeleted = PublicEventOf<'DestinationDeleted'>;
export type DataflowConfigured = PublicEventOf<'DataflowConfigured'>;
export type DataflowDeleted = PublicEventOf<'DataflowDeleted'>;

export function isPublicEventType(type: string): type is PublicEventType {
  return Object.hasOwn(publicEventDataSchemas, type);
}

/** Builds a typed event (for producers, the CLI and tests); it is not validated here. */
export function publicEvent<T extends PublicEventType>(type: T, data: z.infer<DataSchemas[T]>): PublicEventOf<T> {
  return { type, data };
}

export type ParsedEvent<E> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly error: InvalidEventError };

/**
 * Validates an event read from a stream. `accepted` limits the types a consumer handles (an
 * `ingest-*` reader passes `ingestEventTypes`); anything else is an InvalidEventError naming
 * the field and the reason.
 */
export function parsePublicEvent<T extends PublicEventType = PublicEventType>(
  type: string,
  data: unknown,
  accepted?: readonly T[],
): ParsedEvent<Extract<PublicEvent, { type: T }>> {
  const allowed: readonly string[] | undefined = accepted;
  if (!isPublicEventType(type) || (allowed !== undefined && !allowed.includes(type))) {
    const expected = (allowed ?? Object.keys(publicEventDataSchemas)).join(', ');
    return { ok: false, error: new InvalidEventError(type, [{ path: '(type)', message: `unknown event type, expected one of ${expected}` }]) };
  }
  const result = publicEventDataSchemas[type].safeParse(data);
  if (!result.success) return { ok: false, error: new InvalidEventError(type, fieldIssues(result.error)) };
  return { ok: true, event: { type, data: result.data } as Extract<PublicEvent, { type: T }> };
}
