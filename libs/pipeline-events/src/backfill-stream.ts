import { z } from 'zod';
import { idSchema, isoInstantSchema } from '@spillway/xdm';

/**
 * export-decider -> `backfill-<dataflowId>`: the durable progress of the historical backfills
 * (product.md section 8) of one dataflow. A backfill is identified by the configuration event
 * that asked for it (`backfillId` = deterministicEventId('backfill', dataflowId, configEventId)),
 * and each decider instance (partition `k/n`) backfills its own share of the profiles, so every
 * event names its partition. Positions are $all positions, as `commit/prepare` text.
 */
export const backfillStreamPrefix = 'backfill-';
export const backfillStreamName = (dataflowId: string): string => `${backfillStreamPrefix}${dataflowId}`;

export const positionTextSchema = z.string().regex(/^\d+\/\d+$/, 'a $all position as commit/prepare');

const backfillBaseSchema = {
  backfillId: z.uuid(),
  dataflowId: idSchema,
  /** The decider instance's share, `k/n`. */
  partition: z.string().regex(/^\d+\/\d+$/),
};

export const backfillStartedSchema = z.strictObject({
  ...backfillBaseSchema,
  audienceIds: z.array(idSchema).min(1),
  /** The configuration event that asked for it (its stream and id). */
  configStream: z.string().min(1),
  configEventId: z.string().min(1),
  /** Profiles created up to here (the configuration event's position) are scanned; later ones are live traffic. */
  upToPosition: positionTextSchema,
  startedAt: isoInstantSchema,
});

export const backfillProgressSchema = z.strictObject({
  ...backfillBaseSchema,
  /** Profiles of this partition looked at so far. */
  scanned: z.number().int().nonnegative(),
  /** Export requests written so far (a re-written one after a resume counts again; the store keeps one). */
  exported: z.number().int().nonnegative(),
  /** Everything in $all up to here is scanned: a resume continues after it. */
  position: positionTextSchema,
  /** Profiles per second since the backfill (or its resume) started. */
  ratePerSecond: z.number().nonnegative(),
  at: isoInstantSchema,
});

export const backfillCompletedSchema = z.strictObject({
  ...backfillBaseSchema,
  scanned: z.number().int().nonnegative(),
  exported: z.number().int().nonnegative(),
  completedAt: isoInstantSchema,
});

export type BackfillStarted = z.infer<typeof backfillStartedSchema>;
export type BackfillProgress = z.infer<typeof backfillProgressSchema>;
export type BackfillCompleted = z.infer<typeof backfillCompletedSchema>;

export const backfillEventSchemas = {
  BackfillStarted: backfillStartedSchema,
  BackfillProgress: backfillProgressSchema,
  BackfillCompleted: backfillCompletedSchema,
} as const;

export type BackfillEvent =
  | { readonly type: 'BackfillStarted'; readonly data: BackfillStarted }
  | { readonly type: 'BackfillProgress'; readonly data: BackfillProgress }
  | { readonly type: 'BackfillCompleted'; readonly data: BackfillCompleted };

/** Where one backfill stands in one partition. */
export interface BackfillStatus {
  readonly backfillId: string;
  readonly dataflowId: string;
  readonly partition: string;
  readonly audienceIds: readonly string[];
  readonly configEventId: string;
  readonly upToPosition: string;
  readonly startedAt: string;
  readonly state: 'running' | 'completed';
  readonly scanned: number;
  readonly exported: number;
  /** Where a resume continues (after it); undefined before the first progress. */
  readonly position: string | undefined;
  readonly ratePerSecond: number | undefined;
  readonly updatedAt: string;
  /** How far the scan is, 0..1: its position over the configuration event's (the end of the scan). */
  readonly shareDone: number;
  /**
   * Profiles still to scan, estimated from the profiles scanned so far and the share of the log
   * they took (the count is not known before the scan reaches them); 0 once completed.
   */
  readonly remainingEstimate: number | undefined;
  /** Seconds to the end at the current rate, from that estimate. */
  readonly secondsLeftEstimate: number | undefined;
}

/** Folds a `backfill-<dataflowId>` stream into the status of each (backfill, partition), in start order. */
export function summarizeBackfills(events: readonly BackfillEvent[]): BackfillStatus[] {
  const statuses = new Map<string, BackfillStatus>();
  const keyOf = (data: { readonly backfillId: string; readonly partition: string }) => `${data.backfillId} ${data.partition}`;
  for (const event of events) {
    const key = keyOf(event.data);
    const known = statuses.get(key);
    switch (event.type) {
      case 'BackfillStarted': {
        const { data } = event;
        if (known) continue;
        statuses.set(key, {
          backfillId: data.backfillId,
          dataflowId: data.dataflowId,
          partition: data.partition,
          audienceIds: data.audienceIds,
          configEventId: data.configEventId,
          upToPosition: data.upToPosition,
          startedAt: data.startedAt,
          state: 'running',
          scanned: 0,
          exported: 0,
          position: undefined,
          ratePerSecond: undefined,
          updatedAt: data.startedAt,
          shareDone: 0,
          remainingEstimate: undefined,
          secondsLeftEstimate: undefined,
        });
        continue;
      }
      case 'BackfillProgress': {
        if (!known || known.state === 'completed') continue;
        const { data } = event;
        statuses.set(key, { ...known, scanned: data.scanned, exported: data.exported, position: data.position, ratePerSecond: data.ratePerSecond, updatedAt: data.at });
        continue;
      }
      case 'BackfillCompleted': {
        if (!known) continue;
        const { data } = event;
        statuses.set(key, { ...known, state: 'completed', scanned: data.scanned, exported: data.exported, updatedAt: data.completedAt });
        continue;
      }
      default: {
        const unknown: never = event;
        throw new Error(`unknown backfill event ${JSON.stringify(unknown)}`);
      }
    }
  }
  return [...statuses.values()].map(withEstimates);
}

function withEstimates(status: BackfillStatus): BackfillStatus {
  if (status.state === 'completed') return { ...status, shareDone: 1, remainingEstimate: 0, secondsLeftEstimate: 0 };
  const shareDone = scanShare(status);
  const remainingEstimate = shareDone > 0 && status.scanned > 0 ? Math.round((status.scanned * (1 - shareDone)) / shareDone) : undefined;
  const secondsLeftEstimate =
    remainingEstimate !== undefined && status.ratePerSecond !== undefined && status.ratePerSecond > 0 ? Math.ceil(remainingEstimate / status.ratePerSecond) : undefined;
  return { ...status, shareDone, remainingEstimate, secondsLeftEstimate };
}

function scanShare(status: BackfillStatus): number {
  if (status.position === undefined) return 0;
  const commit = (text: string) => Number(text.split('/')[0]);
  const upTo = commit(status.upToPosition);
  return upTo > 0 ? Math.min(1, commit(status.position) / upTo) : 0;
}
