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
 * delivery-agent -> `deliveries-<dataflowId>`: `ExportDelivered` / `ExportFailed` /
 *   `ExportSuperseded` (one final outcome per export run), and `ExportAttemptFailed` before each
 *   retry wait; `deadletters-<dataflowId>`: `ExportDeadLettered` for each export given up.
 * cli, management-api -> `exports-<dataflowId>`: `ExportReplayRequested`, a dead letter sent
 *   again, and `deadletters-<dataflowId>`: `DeadLetterReplayed`, marking the dead letter replayed.
 */
export const internalStreamPrefixes = {
  profile: 'profile-',
  exports: 'exports-',
  deliveries: 'deliveries-',
  deadletters: 'deadletters-',
} as const;

export const profileStreamName = (profileId: string): string => `${internalStreamPrefixes.profile}${profileId}`;
export const exportsStreamName = (dataflowId: string): string => `${internalStreamPrefixes.exports}${dataflowId}`;
export const deliveriesStreamName = (dataflowId: string): string => `${internalStreamPrefixes.deliveries}${dataflowId}`;
export const deadlettersStreamName = (dataflowId: string): string => `${internalStreamPrefixes.deadletters}${dataflowId}`;

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

/**
 * A replay (from the dead letters) is sent under the same export id and sequence; its outcome
 * events carry its `replayId`, which also keeps their event ids apart from the first run's.
 */
export const exportReplayRequestedSchema = exportRequestedSchema.extend({
  replayId: z.uuid(),
  replayRequestedAt: isoInstantSchema,
});

const deliveryBaseSchema = {
  exportId: z.uuid(),
  /** Set on the outcomes of a replayed export. */
  replayId: z.uuid().optional(),
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
  /** The export's lane (absent on outcomes written before it was recorded): a backfill's delivery is no sample of live latency. */
  lane: exportLaneSchema.optional(),
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

/** One failed HTTP attempt (or none: `attempt` 0 is a destination that could not be used). */
export const attemptRecordSchema = z.strictObject({
  attempt: z.number().int().nonnegative(),
  startedAt: isoInstantSchema,
  durationMs: z.number().nonnegative(),
  status: z.number().int().optional(),
  errorCode: z.string().optional(),
  /** A sentence built from codes only: never a URL, header or body. */
  reason: z.string(),
});

/** Written (and awaited) before the export waits for its retry: a restart resumes from it. */
export const exportAttemptFailedSchema = z.strictObject({
  exportId: z.uuid(),
  replayId: z.uuid().optional(),
  sequence: z.number().int().nonnegative(),
  dataflowId: idSchema,
  destinationId: idSchema,
  profileId: idSchema,
  ...attemptRecordSchema.shape,
  nextAttemptAt: isoInstantSchema,
  /** The destination's circuit was open: the attempt does not count against the retry limit, after a restart either. */
  whileCircuitOpen: z.literal(true).optional(),
});

/** Not sent (any more): a newer export of the same (dataflow, profile) came or was delivered. */
export const exportSupersededSchema = z.strictObject({
  ...deliveryBaseSchema,
  supersededBy: z.uuid(),
  supersededBySequence: z.number().int().nonnegative(),
  supersededAt: isoInstantSchema,
});

/** What was sent: the URL without its query string (API keys live there), headers redacted. */
export const deadLetterHttpRequestSchema = z.strictObject({
  method: z.literal('POST'),
  url: z.string(),
  queryParamNames: z.array(z.string()),
  headers: z.record(z.string(), z.string()),
});

/** `deadletters-<dataflowId>`: an export given up, with what a replay needs. */
export const exportDeadLetteredSchema = z.strictObject({
  exportId: z.uuid(),
  replayId: z.uuid().optional(),
  sequence: z.number().int().nonnegative(),
  dataflowId: idSchema,
  destinationId: idSchema,
  profileId: idSchema,
  /** The export as requested (the document included): what a replay sends again. */
  export: exportRequestedSchema,
  /** Absent when the destination could not be used (nothing was sent). */
  request: deadLetterHttpRequestSchema.optional(),
  attempts: z.array(attemptRecordSchema),
  /** Last answer's status or network error code. */
  status: z.number().int().optional(),
  errorCode: z.string().optional(),
  reason: z.string(),
  deadLetteredAt: isoInstantSchema,
});

/**
 * `deadletters-<dataflowId>`: the dead letters of this export recorded before it in the stream
 * were sent again under `replayId` (its `ExportReplayRequested` is in `exports-<dataflowId>`).
 */
export const deadLetterReplayedSchema = z.strictObject({
  exportId: z.uuid(),
  dataflowId: idSchema,
  replayId: z.uuid(),
  replayedAt: isoInstantSchema,
});

export type ProfileChanged = z.infer<typeof profileChangedSchema>;
export type ExportRequested = z.infer<typeof exportRequestedSchema>;
export type ExportDelivered = z.infer<typeof exportDeliveredSchema>;
export type ExportFailed = z.infer<typeof exportFailedSchema>;
export type ExportLane = z.infer<typeof exportLaneSchema>;
export type ExportReplayRequested = z.infer<typeof exportReplayRequestedSchema>;
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;
export type ExportAttemptFailed = z.infer<typeof exportAttemptFailedSchema>;
export type ExportSuperseded = z.infer<typeof exportSupersededSchema>;
export type ExportDeadLettered = z.infer<typeof exportDeadLetteredSchema>;
export type DeadLetterReplayed = z.infer<typeof deadLetterReplayedSchema>;

/** Event schemas by type, ready for an event-streams catalog. */
export const internalEventSchemas = {
  ProfileChanged: profileChangedSchema,
  ExportRequested: exportRequestedSchema,
  ExportDelivered: exportDeliveredSchema,
  ExportFailed: exportFailedSchema,
  ExportReplayRequested: exportReplayRequestedSchema,
  ExportAttemptFailed: exportAttemptFailedSchema,
  ExportSuperseded: exportSupersededSchema,
  ExportDeadLettered: exportDeadLetteredSchema,
  DeadLetterReplayed: deadLetterReplayedSchema,
} as const;
