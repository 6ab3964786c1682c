/**
 * Child process for the kill -9 test: appends under load until killed, printing one JSON line per
 * acknowledged append. Every event carries its append's id and size, so a reader can tell whether
 * an append survived whole, without trusting stdout (lines still buffered at the kill are lost).
 *
 * With a maxCount, every stream gets that `$maxCount` first, so appends also remove events.
 *
 * usage: node crash-writer.ts <dataDir> [concurrency] [maxCount]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '@spillway/runtime';
import type { ExpectedRevision, ProposedEvent } from '../engine.ts';
import { openLmdbEngine } from '../lmdb-engine.ts';

export interface Acknowledged {
  readonly stream: string;
  readonly ids: readonly string[];
  readonly nextRevision: string;
  readonly position: string;
}

export interface CrashEventData {
  readonly append: string;
  readonly index: number;
  readonly of: number;
}

const [dataDir, concurrencyArg, maxCountArg] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: crash-writer.ts <dataDir> [concurrency] [maxCount]');
const concurrency = Number(concurrencyArg ?? 32);
const engine = await openLmdbEngine({ dataDir, logger: createLogger({ service: 'crash-writer', level: 'warn' }) });

function batch(): ProposedEvent[] {
  const append = randomUUID();
  const of = 1 + Math.floor(Math.random() * 4);
  return Array.from({ length: of }, (_, index) => ({
    id: randomUUID(),
    type: 'CrashTested',
    contentType: 'application/octet-stream',
    // A random-length tail so appends straddle LMDB pages and overflow pages differently.
    data: Buffer.concat([Buffer.from(JSON.stringify({ append, index, of } satisfies CrashEventData)), Buffer.from('\n'), randomBytes(Math.floor(Math.random() * 6000))]),
    metadata: new Uint8Array(),
  }));
}

/** Half of the workers own a stream and append at exact revisions; the rest share streams with any. */
async function worker(index: number): Promise<never> {
  const owned = index % 2 === 0;
  const stream = streamOf(index);
  let expected: ExpectedRevision = owned ? 'no_stream' : 'any';
  for (;;) {
    const events = batch();
    const outcome = await engine.append(stream, expected, events);
    if (outcome.kind !== 'success') throw new Error(`unexpected outcome ${outcome.kind} for ${stream}`);
    if (owned) expected = outcome.nextRevision;
    const line: Acknowledged = {
      stream,
      ids: events.map((event) => event.id),
      nextRevision: String(outcome.nextRevision),
      position: String(outcome.position),
    };
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}

function streamOf(worker: number): string {
  return worker % 2 === 0 ? `owned-${worker}` : `shared-${worker % 3}`;
}

if (maxCountArg !== undefined) {
  const data = Buffer.from(JSON.stringify({ $maxCount: Number(maxCountArg) }));
  for (const stream of new Set(Array.from({ length: concurrency }, (_, index) => streamOf(index)))) {
    await engine.append(`$$${stream}`, 'any', [{ id: randomUUID(), type: '$metadata', contentType: 'application/json', data, metadata: new Uint8Array() }]);
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
