import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@spillway/runtime';
import type { Logger } from '@spillway/runtime';
import type { ProposedEvent, ReadStreamOptions, RecordedEvent, StoreEngine } from '../engine.ts';

export function proposed(overrides: Partial<ProposedEvent> = {}): ProposedEvent {
  return {
    id: randomUUID(),
    type: 'SomethingHappened',
    contentType: 'application/json',
    data: new TextEncoder().encode(JSON.stringify({ n: Math.random() })),
    metadata: new Uint8Array(),
    ...overrides,
  };
}

export function proposedMany(count: number): ProposedEvent[] {
  return Array.from({ length: count }, () => proposed());
}

export function uniqueStream(prefix = 'stream'): string {
  return `${prefix}-${randomUUID()}`;
}

export function allEvents(engine: StoreEngine): RecordedEvent[] {
  return [...engine.readAll({ direction: 'forwards', from: 'start', maxCount: BigInt(Number.MAX_SAFE_INTEGER) })];
}

export function streamEvents(engine: StoreEngine, streamId: string): RecordedEvent[] {
  const outcome = engine.readStream(streamId, { direction: 'forwards', from: 'start', maxCount: 1_000_000n });
  return outcome.kind === 'events' ? [...outcome.events] : [];
}

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function tempDir(prefix = 'store-engine-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A logger that keeps its JSON lines for assertions instead of writing them to stderr. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger({ service: 'store-engine-test', level: 'debug', write: (line) => lines.push(line) });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Stream metadata as the client's setStreamMetadata writes it: a `$metadata` event in `$$stream`. */
export function setMetadata(engine: StoreEngine, streamId: string, metadata: Record<string, unknown>) {
  const data = new TextEncoder().encode(JSON.stringify(metadata));
  return engine.append(`$$${streamId}`, 'any', [proposed({ type: '$metadata', data })]);
}

/** Revisions of a stream read with these options; an error for a missing or deleted stream. */
export function revisionsRead(engine: StoreEngine, streamId: string, options: Partial<ReadStreamOptions> = {}): bigint[] {
  const outcome = engine.readStream(streamId, { direction: 'forwards', from: 'start', maxCount: 1_000_000n, ...options });
  if (outcome.kind !== 'events') throw new Error(`${streamId}: ${outcome.kind}`);
  return [...outcome.events].map((event) => event.revision);
}
