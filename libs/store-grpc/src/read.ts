import type { ReadAllOptions, ReadDirection, SelectedPage, StoreEngine } from '@spillway/store-engine';
import type { ReadMessage } from './protocol.ts';
import { encodeReadEvent } from './read-event-wire.ts';
import type { CallWriter } from './call-writer.ts';
import { rpcErrors } from './errors.ts';
import { streamNotFoundResponse } from './events.ts';
import type { UuidForm } from './events.ts';
import type { EventFilter } from './filter.ts';
import type { ReadFrom } from './read-request.ts';

/** Events are read from the engine in bounded pages so no engine iterator outlives a write. */
const pageSize = 256n;

const smaller = (a: bigint, b: bigint) => (a < b ? a : b);

export interface StreamRead {
  readonly streamName: string;
  readonly direction: ReadDirection;
  readonly from: ReadFrom;
  readonly maxCount: bigint;
  readonly uuidForm: UuidForm;
}

/** readStream: includes the `from` revision; a missing stream is a stream_not_found message. */
export async function serveStreamRead(engine: StoreEngine, read: StreamRead, writer: CallWriter<ReadMessage>): Promise<void> {
  let from = read.from;
  let remaining = read.maxCount;
  let firstPage = true;
  while (remaining > 0n) {
    const limit = smaller(remaining, pageSize);
    const outcome = engine.readStream(read.streamName, { direction: read.direction, from, maxCount: limit });
    if (outcome.kind === 'stream_deleted') throw rpcErrors.streamDeleted(read.streamName);
    if (outcome.kind === 'stream_not_found') {
      if (firstPage) await writer.write(streamNotFoundResponse(read.streamName));
      return;
    }
    firstPage = false;
    const events = Array.from(outcome.events);
    for (const event of events) {
      if (!(await writer.write(encodeReadEvent(event, read.uuidForm)))) return;
    }
    remaining -= BigInt(events.length);
    const last = events.at(-1);
    if (last === undefined || BigInt(events.length) < limit) return;
    from = read.direction === 'forwards' ? last.revision + 1n : last.revision - 1n;
    if (from < 0n) return;
  }
}

export interface AllRead {
  readonly direction: ReadDirection;
  readonly from: ReadFrom;
  readonly maxCount: bigint;
  readonly filter: EventFilter | undefined;
  readonly uuidForm: UuidForm;
}

/**
 * readAll: forwards includes the `from` position; backwards starts before it, as a real server
 * reads the records preceding a log position.
 */
export async function serveAllRead(engine: StoreEngine, read: AllRead, writer: CallWriter<ReadMessage>): Promise<void> {
  let from: ReadFrom = read.from;
  if (read.direction === 'backwards' && typeof from === 'bigint') {
    if (from <= 0n) return;
    from -= 1n;
  }
  let remaining = read.maxCount;
  while (remaining > 0n) {
    const options = { direction: read.direction, from, maxCount: pageSize };
    const page = read.filter === undefined ? wholePage(engine, options) : engine.readAllSelected(options, read.filter.selector);
    for (const event of page.events) {
      if (!(await writer.write(encodeReadEvent(event, read.uuidForm)))) return;
      remaining -= 1n;
      if (remaining === 0n) return;
    }
    if (page.lastScanned === undefined || BigInt(page.scanned) < pageSize) return;
    from = read.direction === 'forwards' ? page.lastScanned + 1n : page.lastScanned - 1n;
    if (from < 0n) return;
  }
}

function wholePage(engine: StoreEngine, options: ReadAllOptions): SelectedPage {
  const events = Array.from(engine.readAll(options));
  return { events, scanned: events.length, lastScanned: events.at(-1)?.position };
}
