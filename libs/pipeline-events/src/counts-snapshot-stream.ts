import { z } from 'zod';
import { idSchema } from '@spillway/xdm';
import { positionTextSchema } from './backfill-stream.ts';

/**
 * cli, management-api -> `spillway-counts-<dataflowId>`: the figures of `dataflows show` and the
 * status route as of a `$all` position, so the next reader scans only what came after it. Kept
 * with the other `spillway-` bookkeeping streams (checkpoints, rejections): no service subscribes
 * to that prefix, while `dataflow-counts-<id>` would be caught by every `dataflow-` subscriber.
 * Only the last few are kept (`$maxCount`). A snapshot is a cache: deleting the stream costs one
 * full scan, never a wrong count.
 */
export const countsSnapshotStreamPrefix = 'spillway-counts-';
export const countsSnapshotStreamName = (dataflowId: string): string => `${countsSnapshotStreamPrefix}${dataflowId}`;

/** Raised whenever the way counts are folded changes: older snapshots then no longer parse and are ignored. */
export const countsSnapshotVersion = 1;

const count = z.number().int().nonnegative();

export const dataflowCountsSnapshottedSchema = z.strictObject({
  version: z.literal(countsSnapshotVersion),
  dataflowId: idSchema,
  /** Everything in `$all` up to here (inclusive) is counted: a reader continues after it. */
  position: positionTextSchema,
  /** Whether the dataflow was configured and enabled there: profile changes after it count only then. */
  enabled: z.boolean(),
  counts: z.strictObject({ received: count, exported: count, delivered: count, failed: count, superseded: count, deadLettered: count }),
  /** The delivered latencies as `[ms, count]` buckets, smallest first. */
  latencyBuckets: z.array(z.tuple([z.number().nonnegative(), z.number().int().positive()])),
});

export type DataflowCountsSnapshotted = z.infer<typeof dataflowCountsSnapshottedSchema>;

export const countsSnapshotEventSchemas = {
  DataflowCountsSnapshotted: dataflowCountsSnapshottedSchema,
} as const;
