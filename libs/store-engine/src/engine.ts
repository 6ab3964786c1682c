/**
 * The storage contract behind the embedded store. The gRPC layer (libs/store-grpc) speaks the
 * EventStoreDB protocol on top of any implementation of this interface: the durable LMDB engine
 * and the in-memory engine (used by the benchmark to show what persistence costs).
 *
 * Positions: one global, gap-free-or-not but strictly increasing number per event in the log
 * ($all order). The gRPC layer reports it as both commit and prepare position.
 * Revisions: 0-based per stream.
 */

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface ProposedEvent {
  readonly id: string; // uuid, lower-case string form
  readonly type: string;
  readonly contentType: string; // 'application/json' | 'application/octet-stream'
  readonly data: Uint8Array;
  readonly metadata: Uint8Array; // custom (user) metadata
}

export interface RecordedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** 100-nanosecond ticks since the Unix epoch, as EventStoreDB reports `created`. */
  readonly created: bigint;
}

/** What a stream's head looks like; 'no_stream' when it never existed or is soft-deleted. */
export type CurrentRevision = bigint | 'no_stream';

export type AppendOutcome =
  | { readonly kind: 'success'; readonly nextRevision: bigint; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: CurrentRevision; readonly expected: ExpectedRevision }
  | { readonly kind: 'stream_deleted' };

export type DeleteOutcome =
  | { readonly kind: 'success'; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: CurrentRevision; readonly expected: ExpectedRevision }
  | { readonly kind: 'stream_deleted' };

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction: ReadDirection;
  /** Inclusive starting revision, or the stream's start/end. */
  readonly from: 'start' | 'end' | bigint;
  readonly maxCount: bigint;
}

export type ReadStreamOutcome =
  | { readonly kind: 'events'; readonly events: Iterable<RecordedEvent> }
  | { readonly kind: 'stream_not_found' }
  | { readonly kind: 'stream_deleted' };

export interface ReadAllOptions {
  readonly direction: ReadDirection;
  /** Inclusive starting position, or the log's start/end. */
  readonly from: 'start' | 'end' | bigint;
  readonly maxCount: bigint;
}

/** Which events a filtered read of $all keeps: by stream id or by event type. */
export interface EventSelector {
  readonly field: 'streamId' | 'type';
  readonly matches: (value: string) => boolean;
}

export interface SelectedPage {
  /** The selected events among those scanned, in the order read. */
  readonly events: readonly RecordedEvent[];
  /** Events scanned, selected or not: `maxCount` unless the log ended first. */
  readonly scanned: number;
  /** Position of the last event scanned, or undefined when nothing was left to scan. */
  readonly lastScanned: bigint | undefined;
}

export interface StoreEngine {
  /**
   * Appends atomically. Resolves only once the events are durable (fsynced, for the durable
   * engine); concurrent appends share one flush (group commit). Re-appending event ids that are
   * already the stream's events at the expected place returns the original result.
   * Rejects (throws) only for requests no server would accept, with the error classes of
   * errors.ts: MaxAppendSizeExceededError / MaxAppendEventSizeExceededError (EventStoreDB's
   * `maximum-append-size-exceeded` / `maximum-append-event-size-exceeded`), InvalidAppendError,
   * EngineClosedError, EngineFailedError.
   */
  append(streamId: string, expected: ExpectedRevision, events: readonly ProposedEvent[]): Promise<AppendOutcome>;
  /** Soft delete: the stream reads as not found and may be written again (revisions continue). */
  deleteStream(streamId: string, expected: ExpectedRevision): Promise<DeleteOutcome>;
  /** Hard delete: the stream can never be read or written again. */
  tombstoneStream(streamId: string, expected: ExpectedRevision): Promise<DeleteOutcome>;
  /**
   * Honours the `$maxCount` and `$tb` of the stream's latest metadata (`$$stream`): reads start at
   * the first visible revision, and revisions keep their numbers.
   */
  readStream(streamId: string, options: ReadStreamOptions): ReadStreamOutcome;
  readAll(options: ReadAllOptions): Iterable<RecordedEvent>;
  /**
   * Scans up to `maxCount` events of $all like readAll and returns only those the selector keeps,
   * with how far it got (for filtered reads and subscriptions, which checkpoint on scanned events).
   * Events the selector skips need not be decoded.
   */
  readAllSelected(options: ReadAllOptions, selector: EventSelector): SelectedPage;
  currentRevision(streamId: string): CurrentRevision;
  /** Position of the newest durable event, or -1n for an empty log. */
  headPosition(): bigint;
  /** Called after each durable commit with the new head position. Returns an unsubscribe function. */
  onCommitted(listener: (headPosition: bigint) => void): () => void;
  close(): Promise<void>;
}
