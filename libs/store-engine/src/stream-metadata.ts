import type { StreamHead } from './stream-head.ts';

/**
 * What the engine enforces of a stream's metadata (the latest event of its `$$stream`), as
 * EventStoreDB's read index does: `$maxCount` keeps the newest events, `$tb` hides the revisions
 * below it, `$maxAge` hides the events older than it. ACLs and custom keys are stored but not
 * interpreted.
 */
export interface StreamLimits {
  /** Undefined: no limit. */
  readonly maxCount: number | undefined;
  /** 0: nothing hidden. */
  readonly truncateBefore: number;
  /** Seconds. Undefined: no limit. */
  readonly maxAgeSeconds: number | undefined;
}

export const noLimits: StreamLimits = { maxCount: undefined, truncateBefore: 0, maxAgeSeconds: undefined };

export const METADATA_EVENT_TYPE = '$metadata';

/** EventStoreDB keeps only the newest event of a metadata stream (`MetastreamMaxCount` = 1). */
const metastreamLimits: StreamLimits = { maxCount: 1, truncateBefore: 0, maxAgeSeconds: undefined };

/** `$tb` of a stream soft-deleted by EventStoreDB itself (long.MaxValue): it reads as not found. */
const deletedStreamTb = 2 ** 63 - 1;

export function isMetastream(streamId: string): boolean {
  return streamId.startsWith('$$');
}

/** The stream a metadata stream describes. */
export function baseStreamOf(metastreamId: string): string {
  return metastreamId.slice(2);
}

/** Limits from a metadata stream's latest event; anything unreadable means no limits, as a real server treats invalid metadata. */
export function limitsFromMetadataEvent(type: string, data: Uint8Array): StreamLimits {
  if (type !== METADATA_EVENT_TYPE) return noLimits;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return noLimits;
  }
  if (typeof parsed !== 'object' || parsed === null) return noLimits;
  const fields = parsed as Record<string, unknown>;
  const maxCount = fields['$maxCount'];
  const truncateBefore = fields['$tb'];
  const maxAge = fields['$maxAge'];
  return {
    maxCount: isCount(maxCount) && maxCount > 0 ? maxCount : undefined,
    truncateBefore: isCount(truncateBefore) ? truncateBefore : 0,
    maxAgeSeconds: isCount(maxAge) && maxAge > 0 ? maxAge : undefined,
  };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export function limitsOf(streamId: string, head: StreamHead): StreamLimits {
  return isMetastream(streamId) ? metastreamLimits : head.limits;
}

/** The lowest revision a read shows: above a soft delete, `$tb` and the `$maxCount` newest. */
export function firstVisibleRevision(streamId: string, head: StreamHead): number {
  const limits = limitsOf(streamId, head);
  const byCount = limits.maxCount === undefined ? 0 : head.lastRevision + 1 - limits.maxCount;
  return Math.max(head.truncateBefore, limits.truncateBefore, byCount);
}

/**
 * Events of the stream created before this time (microseconds since the epoch) are older than its
 * `$maxAge`: reads hide them, and storage drops them as a scavenge would. 0 when there is no `$maxAge`.
 */
export function expiredBeforeMicros(streamId: string, head: StreamHead, nowMicros: number): number {
  const maxAgeSeconds = limitsOf(streamId, head).maxAgeSeconds;
  return maxAgeSeconds === undefined ? 0 : nowMicros - maxAgeSeconds * 1_000_000;
}

/** A stream whose `$tb` says "deleted" reads as not found, as on EventStoreDB. */
export function isDeletedByMetadata(streamId: string, head: StreamHead): boolean {
  return limitsOf(streamId, head).truncateBefore >= deletedStreamTb;
}

/**
 * Events below this revision are removed from storage: those the metadata hides (soft-deleted
 * events stay stored, as before). The newest event of a stream is always kept, as an EventStoreDB
 * scavenge keeps it, so the log's newest position never goes away and positions are never reused.
 */
export function removableBelow(streamId: string, head: StreamHead): number {
  const limits = limitsOf(streamId, head);
  const byCount = limits.maxCount === undefined ? 0 : head.lastRevision + 1 - limits.maxCount;
  return Math.min(head.lastRevision, Math.max(limits.truncateBefore, byCount));
}
