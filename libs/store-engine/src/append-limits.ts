import type { ProposedEvent } from './engine.ts';
import { MaxAppendEventSizeExceededError, MaxAppendSizeExceededError } from './errors.ts';

/** EventStoreDB's default `MaxAppendSize`: the total of all events in one append (ClusterVNodeOptions). */
export const DEFAULT_MAX_APPEND_SIZE = 1_024 * 1_024;

/** EventStoreDB's ceiling for `MaxAppendSize` (TFConsts.MaxLogRecordSize). */
export const MAX_APPEND_SIZE_CEILING = 16 * 1_024 * 1_024;

export interface AppendSizeLimits {
  /** Total of all events in one append, measured as EventStoreDB does. */
  readonly maxAppendSize: number;
  /** Per event; EventStoreDB's `MaxAppendEventSize` defaults to no limit beyond `maxAppendSize`. */
  readonly maxAppendEventSize: number;
}

/** EventStoreDB's `Event.SizeOnDisk`: data + metadata + 2 bytes per character of the type. */
export function eventSizeOnDisk(event: ProposedEvent): number {
  return event.data.length + event.metadata.length + event.type.length * 2;
}

export function assertAppendSize(events: readonly ProposedEvent[], limits: AppendSizeLimits): void {
  let total = 0;
  for (const event of events) {
    const size = eventSizeOnDisk(event);
    if (size > limits.maxAppendEventSize) throw new MaxAppendEventSizeExceededError(event.id, limits.maxAppendEventSize, size);
    total += size;
    if (total > limits.maxAppendSize) throw new MaxAppendSizeExceededError(limits.maxAppendSize, total);
  }
}
