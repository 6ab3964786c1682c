import type { CurrentRevision, ExpectedRevision, ProposedEvent } from './engine.ts';
import { noLimits } from './stream-metadata.ts';
import type { StreamLimits } from './stream-metadata.ts';

/**
 * Pure decisions of the durable engine: what an append or a delete does to a stream, given its
 * head and a way to look recorded events up. Revisions are JS numbers here (exact up to 2^53).
 */
export interface StreamHead {
  /** -1 until the first event. */
  readonly lastRevision: number;
  /** A soft delete hides the revisions below this one; later appends continue the numbering. */
  readonly truncateBefore: number;
  readonly tombstoned: boolean;
  /** From the latest event of the stream's metadata stream, kept with the head so reads need no lookup. */
  readonly limits: StreamLimits;
}

export const newStreamHead: StreamHead = { lastRevision: -1, truncateBefore: 0, tombstoned: false, limits: noLimits };

export interface RecordedRef {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly id: string;
}

export interface EventLookup {
  atRevision(streamId: string, revision: number): RecordedRef | undefined;
  /** The newest event recorded with this id, in any stream. */
  byId(id: string): RecordedRef | undefined;
}

export type AppendDecision =
  | { readonly kind: 'stream_deleted' }
  | { readonly kind: 'wrong_expected_version'; readonly current: CurrentRevision }
  | { readonly kind: 'replay'; readonly lastRevision: number; readonly lastPosition: number }
  | { readonly kind: 'nothing_to_write'; readonly current: CurrentRevision }
  | { readonly kind: 'write'; readonly firstRevision: number };

export type DeleteDecision =
  | { readonly kind: 'stream_deleted' }
  | { readonly kind: 'wrong_expected_version'; readonly current: CurrentRevision }
  | { readonly kind: 'delete'; readonly head: StreamHead };

/** A soft-deleted stream reads as absent until it is written again. */
export function currentRevisionOf(head: StreamHead): CurrentRevision {
  return head.lastRevision < head.truncateBefore ? 'no_stream' : BigInt(head.lastRevision);
}

export function expectationHolds(expected: ExpectedRevision, current: CurrentRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === 'no_stream';
  if (expected === 'stream_exists') return current !== 'no_stream';
  return current === expected;
}

export function decideAppend(
  head: StreamHead,
  streamId: string,
  expected: ExpectedRevision,
  events: readonly ProposedEvent[],
  lookup: EventLookup,
): AppendDecision {
  if (head.tombstoned) return { kind: 'stream_deleted' };
  const current = currentRevisionOf(head);
  const replay = findReplay(head, streamId, expected, events, lookup);
  if (replay === 'partial') return { kind: 'wrong_expected_version', current };
  if (replay !== undefined) return replay;
  if (!expectationHolds(expected, current)) return { kind: 'wrong_expected_version', current };
  if (events.length === 0) return { kind: 'nothing_to_write', current };
  return { kind: 'write', firstRevision: head.lastRevision + 1 };
}

/**
 * Idempotent re-append, as EventStoreDB's IndexWriter.CheckCommit: with an exact (or no_stream)
 * expectation the ids must be the stream's events right after it; with any / stream_exists the
 * first id must be known in this stream and the rest must follow it. A run that matches only in
 * part is a wrong expected version ("corrupted idempotency").
 */
function findReplay(
  head: StreamHead,
  streamId: string,
  expected: ExpectedRevision,
  events: readonly ProposedEvent[],
  lookup: EventLookup,
): Extract<AppendDecision, { kind: 'replay' }> | 'partial' | undefined {
  if (events.length === 0) return undefined;
  let firstRevision: number;
  if (expected === 'any' || expected === 'stream_exists') {
    const first = lookup.byId(events[0]!.id);
    if (first === undefined || first.streamId !== streamId) return undefined;
    firstRevision = first.revision;
  } else {
    firstRevision = expected === 'no_stream' ? 0 : Number(expected) + 1;
    if (firstRevision > head.lastRevision) return undefined;
  }
  let last: RecordedRef | undefined;
  for (let offset = 0; offset < events.length; offset++) {
    last = lookup.atRevision(streamId, firstRevision + offset);
    if (last?.id !== events[offset]!.id) return offset === 0 ? undefined : 'partial';
  }
  return { kind: 'replay', lastRevision: last!.revision, lastPosition: last!.position };
}

export function decideSoftDelete(head: StreamHead, expected: ExpectedRevision, hasMetadata: boolean): DeleteDecision {
  if (head.tombstoned) return { kind: 'stream_deleted' };
  const current = currentRevisionOf(head);
  if (!expectationHolds(expected, current)) return { kind: 'wrong_expected_version', current };
  // EventStoreDB refuses to soft-delete a stream that has neither events nor metadata.
  if (head.lastRevision < 0 && !hasMetadata) return { kind: 'wrong_expected_version', current };
  return { kind: 'delete', head: { ...head, truncateBefore: head.lastRevision + 1 } };
}

export function decideTombstone(head: StreamHead, expected: ExpectedRevision): DeleteDecision {
  if (head.tombstoned) return { kind: 'stream_deleted' };
  const current = currentRevisionOf(head);
  if (!expectationHolds(expected, current)) return { kind: 'wrong_expected_version', current };
  return { kind: 'delete', head: { ...head, tombstoned: true } };
}

export function metadataStreamOf(streamId: string): string {
  return `$$${streamId}`;
}
