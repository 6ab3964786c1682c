import { z } from 'zod';
import { idSchema, isoInstantSchema } from '@spillway/xdm';
import { profileChangeSchema, profileStateSchema } from '@spillway/profile-state';

/**
 * The streams the services write for each other. Unlike the public streams of streams.md these
 * are ours to change, but every consumer validates them with these schemas all the same.
 *
 * profile-projector -> `profile-<profileId>`: `ProfileChanged`, one per ingest event that
 *   changed something. Its revision is the profile's version: the export sequence.
 * export-decider -> `exports-<dataflowId>`: `ExportRequested`, the document to deliver.
 * delivery-agent -> `deliveries-<dataflowId>`: `ExportDelivered` / `ExportFailed`.
 */
export const internalStreamPrefixes = {
  profile: 'profile-',
  exports: 'exports-',
  deliveries: 'deliveries-',
} as const;

export const profileStreamName = (profileId: string): string => `${internalStreamPrefixes.profile}${profileId}`;
export const exportsStreamName = (dataflowId: string): string => `${internalStreamPrefixes.exports}${dataflowId}`;
export const deliveriesStreamName = (dataflowId: string): string => `${internalStreamPrefixes.deliveries}${dataflowId}`;

/** Where a derived event came from: the ingest event it was folded from. */
export const sourceEventSchema = z.strictObject({
  streamId: z.string().min(1),
  revision: z.number().int().nonnegative(),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
});

export const profileChangedSchema = z.strictObject({
  profileId: idSchema,
  state: profileStateSchema,
  change: profileChangeSchema,
  source: sourceEventSchema,
  /** When the ingest event was recorded by the store: the start of the end-to-end latency. */
  ingestedAt: isoInstantSchema,
});

export const exportLaneSchema = z.enum(['live', 'backfill']);

export const exportRequestedSchema = z.strictObject({
  exportId: z.uuid(),
  /** The profile's version (revision of its `profile-` event): only grows per profile. */
  sequence: z.number().int().nonnegative(),
  dataflowId: idSchema,
  destinationId: idSchema,
  profileId: idSchema,
  triggers: z.array(z.enum(['membership', 'identity', 'attribute', 'backfill'])).min(1),
  lane: exportLaneSchema,
  document: z.record(z.string(), z.unknown()),
  ingestedAt: isoInstantSchema,
  decidedAt: isoInstantSchema,
});

const deliveryBaseSchema = {
  exportId: z.uuid(),
  sequence: z.number().int().nonnegative(),
  dataflowId: idSchema,
  destinationId: idSchema,
  profileId: idSchema,
  /** HTTP attempts made; 0 when the export could not be attempted (destination missing or unusable). */
  attempts: z.number().int().nonnegative(),
  ingestedAt: isoInstantSchema,
};

export const exportDeliveredSchema = z.strictObject({
  ...deliveryBaseSchema,
  status: z.number().int(),
  durationMs: z.number().nonnegative(),
  deliveredAt: isoInstantSchema,
});

export const exportFailedSchema = z.strictObject({
  ...deliveryBaseSchema,
  /** HTTP status of the last attempt, when there was an answer. */
  status: z.number().int().optional(),
  /** Network error code of the last attempt (ETIMEDOUT, ECONNREFUSED, ...), when there was no answer. */
  errorCode: z.string().optional(),
  reason: z.string(),
  failedAt: isoInstantSchema,
});

export type ProfileChanged = z.infer<typeof profileChangedSchema>;
export type ExportRequested = z.infer<typeof exportRequestedSchema>;
export type ExportDelivered = z.infer<typeof exportDeliveredSchema>;
export type ExportFailed = z.infer<typeof exportFailedSchema>;
export type ExportLane = z.infer<typeof exportLaneSchema>;

/** Event schemas by type, ready for an event-streams catalog. */
export const internalEventSchemas = {
  ProfileChanged: profileChangedSchema,
  ExportRequested: exportRequestedSchema,
  ExportDelivered: exportDeliveredSchema,
  ExportFailed: exportFailedSchema,
} as const;
