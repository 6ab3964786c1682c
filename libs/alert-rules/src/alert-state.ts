import { z } from 'zod';
import { alertRuleKindSchema } from '@spillway/pipeline-events';
import { isoInstantSchema } from '@spillway/xdm';

const epochMs = z.number().int();

export const openAlertSchema = z.strictObject({
  alertId: z.uuid(),
  raisedAt: isoInstantSchema,
  summary: z.string(),
});

/** Requests to the endpoint in one second: the failure-rate window is a list of these. */
const requestBucketSchema = z.strictObject({ second: epochMs, total: z.number().int(), failed: z.number().int() });
const delaySampleSchema = z.strictObject({ at: epochMs, delayMs: z.number() });
const runningBackfillSchema = z.strictObject({ backfillId: z.string(), partition: z.string(), lastActivityAt: epochMs });

/**
 * What the evaluator remembers of one dataflow: its open alerts and the measurements the rules
 * look at. Plain JSON (times as epoch ms, `null` for nothing), so the alert manager can store it.
 */
export const alertStateSchema = z.strictObject({
  open: z.partialRecord(alertRuleKindSchema, openAlertSchema),
  requests: z.array(requestBucketSchema),
  delays: z.array(delaySampleSchema),
  lastDeadLetter: z.strictObject({ at: epochMs, reason: z.string() }).nullable(),
  circuit: z.strictObject({ openedAt: epochMs, failures: z.number().int(), lastError: z.string() }).nullable(),
  /** Backfills (per partition) started and not completed, by `<backfillId> <partition>`. */
  backfills: z.record(z.string(), runningBackfillSchema),
  /**
   * When the dataflow's latest backfill started: a delivery of a profile ingested before it is a
   * historical profile the backfill exported, not a delay sample (`null`: no backfill seen).
   */
  historyBefore: epochMs.nullable().default(null),
});

export type OpenAlert = z.infer<typeof openAlertSchema>;
export type RequestBucket = z.infer<typeof requestBucketSchema>;
export type DelaySample = z.infer<typeof delaySampleSchema>;
export type RunningBackfill = z.infer<typeof runningBackfillSchema>;
export type AlertState = z.infer<typeof alertStateSchema>;

export const initialAlertState: AlertState = { open: {}, requests: [], delays: [], lastDeadLetter: null, circuit: null, backfills: {}, historyBefore: null };
