import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventSelector, ReadAllOptions, RecordedEvent, StoreEngine } from './engine.ts';
import { openLmdbEngine } from './lmdb-engine.ts';
import { proposed, proposedMany, setMetadata, tempDir } from './testing/fixtures.ts';
import type { TempDir } from './testing/fixtures.ts';

const selectors: readonly EventSelector[] = [
  { field: 'streamId', matches: (id) => id.startsWith('keep-') },
  { field: 'type', matches: (type) => type === 'Kept' },
];

/** The engine keeps the appended bytes as they came (a Uint8Array); LMDB reads decode Buffers. */
const bytesOf = (events: readonly RecordedEvent[]) => events.map((event) => ({ ...event, data: [...event.data], metadata: [...event.metadata] }));

/** Every forwards read from every position, with several page sizes: what subscriptions and reads ask. */
function readsFrom(engine: StoreEngine): unknown[] {
  const head = Number(engine.headPosition());
  const results: unknown[] = [];
  for (let from = 0; from <= head + 1; from++) {
    for (const maxCount of [1n, 3n, 256n]) {
      const options: ReadAllOptions = { direction: 'forwards', from: BigInt(from), maxCount };
      results.push(bytesOf([...engine.readAll(options)]));
      for (const selector of selectors) {
        const page = engine.readAllSelected(options, selector);
        results.push({ ...page, events: bytesOf(page.events) });
      }
    }
  }
  return results;
}

describe('lmdb engine: reads at the head served from the recent events', () => {
  let dir: TempDir;
  let engine: StoreEngine;

  beforeEach(async () => {
    dir = tempDir();
    engine = await openLmdbEngine({ dataDir: dir.path, recentEvents: { maxEvents: 12, maxBytes: 1_000_000 } });
  });

  afterEach(async () => {
    await engine.close();
    dir.remove();
  });

  it('read exactly what the data file holds once reopened (read from LMDB), with removed events, batches and evictions', async () => {
    await engine.append('keep-a', 'any', proposedMany(3));
    await Promise.all([
      engine.append('drop-b', 'any', [proposed({ type: 'Kept' })]),
      engine.append('keep-ü-😀', 'no_stream', [proposed({ data: new Uint8Array(0), metadata: new TextEncoder().encode('{"m":1}') })]),
      engine.append('keep-a', 2n, proposedMany(2)),
      engine.append('keep-a', 0n, [proposed()]), // wrong expected version: writes nothing
    ]);
    await setMetadata(engine, 'keep-a', { $maxCount: 2 }); // removes keep-a@0..2
    await Promise.all([engine.append('keep-a', 'any', proposedMany(2)), engine.append('drop-c', 'any', proposedMany(4))]);
    await setMetadata(engine, 'drop-c', { $tb: 3 });
    await engine.deleteStream('drop-b', 'any');
    await engine.append('keep-z', 'any', [proposed({ type: 'Kept' })]);
    const served = readsFrom(engine);
    await engine.close();
    engine = await openLmdbEngine({ dataDir: dir.path });
    expect(served).toEqual(readsFrom(engine));
  });

  it('serves an acknowledged append to a read made as soon as it is acknowledged', async () => {
    await engine.append('drop-b', 'any', [proposed()]);
    const before = engine.headPosition();
    const outcome = await engine.append('keep-a', 'any', [proposed()]);
    expect(outcome.kind === 'success' && outcome.position).toBe(before + 1n);
    expect([...engine.readAll({ direction: 'forwards', from: before + 1n, maxCount: 10n })].map((event) => event.streamId)).toEqual(['keep-a']);
  });
});
