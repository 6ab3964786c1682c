import type {
  AppendOutcome,
  CurrentRevision,
  DeleteOutcome,
  ExpectedRevision,
  ProposedEvent,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamOutcome,
  RecordedEvent,
  StoreEngine,
} from './engine.ts';
import { selectEvents } from './selected-page.ts';
import { metadataStreamOf } from './stream-head.ts';
import type { StreamHead } from './stream-head.ts';
import { baseStreamOf, expiredBeforeMicros, firstVisibleRevision, isDeletedByMetadata, isMetastream, limitsFromMetadataEvent, noLimits } from './stream-metadata.ts';
import type { StreamLimits } from './stream-metadata.ts';

interface StreamState {
  /** Index in this array is the revision. */
  readonly events: RecordedEvent[];
  /** Event id to revision, for idempotent re-appends with `any`/`stream_exists`. */
  readonly revisionOfId: Map<string, number>;
  /** Revisions below this are hidden by a soft delete; the stream continues from its last revision. */
  truncateBefore: bigint;
  tombstoned: boolean;
}

/**
 * Storage switched off: the same semantics as the durable engine, kept in memory. Used by the
 * benchmark as the baseline and by tests that do not need durability.
 */
export interface MemoryEngineOptions {
  /** Clock for `created` and `$maxAge`, in microseconds since the Unix epoch. */
  readonly nowMicros?: () => number;
}

export function createMemoryEngine(options: MemoryEngineOptions = {}): StoreEngine {
  const nowMicros = options.nowMicros ?? (() => Date.now() * 1_000);
  const log: RecordedEvent[] = [];
  const streams = new Map<string, StreamState>();
  const listeners = new Set<(headPosition: bigint) => void>();
  let nextPosition = 1n;
  let closed = false;

  const lastRevision = (state: StreamState | undefined): bigint =>
    state === undefined || state.events.length === 0 ? -1n : state.events[state.events.length - 1]!.revision;

  const currentRevision = (streamId: string): CurrentRevision => {
    const state = streams.get(streamId);
    const last = lastRevision(state);
    return state === undefined || last < state.truncateBefore ? 'no_stream' : last;
  };

  /** Read-time only: this engine keeps hidden events (it lives as long as a benchmark). */
  const metadataLimits = (streamId: string): StreamLimits => {
    const latest = streams.get(metadataStreamOf(streamId))?.events.at(-1);
    return latest === undefined ? noLimits : limitsFromMetadataEvent(latest.type, latest.data);
  };

  /** EventStoreDB deletes a stream's metadata stream with it: `$$x` reads and writes as deleted once `x` is tombstoned. */
  const baseTombstoned = (streamId: string): boolean => isMetastream(streamId) && streams.get(baseStreamOf(streamId))?.tombstoned === true;

  const notify = () => {
    const head = headPosition();
    for (const listener of [...listeners]) listener(head);
  };

  const headPosition = (): bigint => (log.length === 0 ? -1n : log[log.length - 1]!.position);

  const assertOpen = () => {
    if (closed) throw new Error('engine is closed');
  };

  return {
    async append(streamId, expected, events): Promise<AppendOutcome> {
      assertOpen();
      const state = streams.get(streamId);
      if (state?.tombstoned || baseTombstoned(streamId)) return { kind: 'stream_deleted' };
      const replay = findIdempotentReplay(state, expected, events);
      if (replay !== undefined) return { kind: 'success', nextRevision: replay.revision, position: replay.position };
      const current = currentRevision(streamId);
      if (!expectationHolds(expected, current)) return { kind: 'wrong_expected_version', currentRevision: current, expected };
      if (events.length === 0) {
        return { kind: 'success', nextRevision: current === 'no_stream' ? -1n : current, position: headPosition() };
      }
      const target: StreamState = state ?? { events: [], revisionOfId: new Map(), truncateBefore: 0n, tombstoned: false };
      streams.set(streamId, target);
      const created = BigInt(nowMicros()) * 10n;
      let revision = lastRevision(target);
      for (const event of events) {
        revision += 1n;
        const recorded: RecordedEvent = { streamId, revision, position: nextPosition, created, ...copy(event) };
        nextPosition += 1n;
        target.revisionOfId.set(recorded.id, target.events.length);
        target.events.push(recorded);
        log.push(recorded);
      }
      notify();
      return { kind: 'success', nextRevision: revision, position: headPosition() };
    },

    async deleteStream(streamId, expected): Promise<DeleteOutcome> {
      assertOpen();
      const state = streams.get(streamId);
      if (state?.tombstoned) return { kind: 'stream_deleted' };
      const current = currentRevision(streamId);
      if (!expectationHolds(expected, current)) return { kind: 'wrong_expected_version', currentRevision: current, expected };
      // EventStoreDB refuses to soft-delete a stream that has neither events nor metadata.
      if (lastRevision(state) < 0n && lastRevision(streams.get(metadataStreamOf(streamId))) < 0n) {
        return { kind: 'wrong_expected_version', currentRevision: current, expected };
      }
      if (state !== undefined) state.truncateBefore = lastRevision(state) + 1n;
      return { kind: 'success', position: headPosition() };
    },

    async tombstoneStream(streamId, expected): Promise<DeleteOutcome> {
      assertOpen();
      const state = streams.get(streamId);
      if (state?.tombstoned) return { kind: 'stream_deleted' };
      const current = currentRevision(streamId);
      if (!expectationHolds(expected, current)) return { kind: 'wrong_expected_version', currentRevision: current, expected };
      const target: StreamState = state ?? { events: [], revisionOfId: new Map(), truncateBefore: 0n, tombstoned: false };
      target.tombstoned = true;
      streams.set(streamId, target);
      return { kind: 'success', position: headPosition() };
    },

    readStream(streamId, options): ReadStreamOutcome {
      assertOpen();
      const state = streams.get(streamId);
      if (state?.tombstoned || baseTombstoned(streamId)) return { kind: 'stream_deleted' };
      if (state === undefined || currentRevision(streamId) === 'no_stream') return { kind: 'stream_not_found' };
      const head = headOf(state, metadataLimits(streamId));
      if (isDeletedByMetadata(streamId, head)) return { kind: 'stream_not_found' };
      const expiredBefore = BigInt(expiredBeforeMicros(streamId, head, nowMicros())) * 10n;
      return { kind: 'events', events: readStreamEvents(state, firstVisibleRevision(streamId, head), options, expiredBefore) };
    },

    readAll(options) {
      assertOpen();
      return readAllEvents(log, options);
    },

    readAllSelected(options, selector) {
      assertOpen();
      return selectEvents(readAllEvents(log, options), selector);
    },

    currentRevision(streamId) {
      assertOpen();
      return currentRevision(streamId);
    },

    headPosition,

    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      closed = true;
      listeners.clear();
    },
  };
}

function copy(event: ProposedEvent) {
  return {
    id: event.id,
    type: event.type,
    contentType: event.contentType,
    data: Uint8Array.from(event.data),
    metadata: Uint8Array.from(event.metadata),
  };
}

export function expectationHolds(expected: ExpectedRevision, current: CurrentRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === 'no_stream';
  if (expected === 'stream_exists') return current !== 'no_stream';
  return current === expected;
}

/** Where the proposed ids are already the stream's events at the expected place, the original last event. */
function findIdempotentReplay(
  state: StreamState | undefined,
  expected: ExpectedRevision,
  events: readonly ProposedEvent[],
): RecordedEvent | undefined {
  if (state === undefined || events.length === 0) return undefined;
  const first = events[0]!;
  let startIndex: number;
  if (typeof expected === 'bigint') startIndex = Number(expected + 1n);
  else if (expected === 'no_stream') startIndex = 0;
  else startIndex = state.revisionOfId.get(first.id) ?? -1;
  if (startIndex < 0 || startIndex + events.length > state.events.length) return undefined;
  for (let offset = 0; offset < events.length; offset++) {
    if (state.events[startIndex + offset]!.id !== events[offset]!.id) return undefined;
  }
  return state.events[startIndex + events.length - 1];
}

function headOf(state: StreamState, limits: StreamLimits): StreamHead {
  return { lastRevision: state.events.length - 1, truncateBefore: Number(state.truncateBefore), tombstoned: state.tombstoned, limits };
}

/** Index in `events` is the revision; events created before `expiredBefore` (ticks) are skipped. */
function* readStreamEvents(state: StreamState, firstIndex: number, options: ReadStreamOptions, expiredBefore: bigint): Generator<RecordedEvent> {
  const visible = state.events;
  if (firstIndex >= visible.length) return;
  const indexOf = (revision: bigint) => firstIndex + Number(revision - visible[firstIndex]!.revision);
  let remaining = options.maxCount;
  let index: number;
  let step: 1 | -1;
  if (options.direction === 'forwards') {
    if (options.from === 'end') return;
    index = options.from === 'start' ? firstIndex : Math.max(firstIndex, indexOf(options.from));
    step = 1;
  } else {
    // EventStoreDB reads backwards from Start as from revision 0.
    const from = options.from === 'start' ? 0n : options.from;
    index = from === 'end' ? visible.length - 1 : Math.min(visible.length - 1, indexOf(from));
    step = -1;
  }
  for (; index >= firstIndex && index < visible.length && remaining > 0n; index += step) {
    const event = visible[index]!;
    if (event.created < expiredBefore) continue;
    remaining--;
    yield event;
  }
}

function* readAllEvents(log: readonly RecordedEvent[], options: ReadAllOptions): Generator<RecordedEvent> {
  let remaining = options.maxCount;
  if (options.direction === 'forwards') {
    if (options.from === 'end') return;
    let index = options.from === 'start' ? 0 : firstIndexAtOrAfter(log, options.from);
    for (; index < log.length && remaining > 0n; index++, remaining--) yield log[index]!;
  } else {
    if (options.from === 'start') return;
    let index = options.from === 'end' ? log.length - 1 : firstIndexAtOrAfter(log, options.from + 1n) - 1;
    for (; index >= 0 && remaining > 0n; index--, remaining--) yield log[index]!;
  }
}

function firstIndexAtOrAfter(log: readonly RecordedEvent[], position: bigint): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (log[middle]!.position < position) low = middle + 1;
    else high = middle;
  }
  return low;
}
