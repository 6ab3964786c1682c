import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent, StoreEngine } from './engine.ts';
import { DATA_FILE_NAME, openDataFile } from './lmdb-data-file.ts';
import type { HeadRow } from './lmdb-tables.ts';
import { openLmdbEngine } from './lmdb-engine.ts';
import type { TempDir } from './testing/fixtures.ts';
import { allEvents, capturingLogger, proposed, proposedMany, revisionsRead, setMetadata, tempDir, uniqueStream } from './testing/fixtures.ts';

let dir: TempDir;
let engine: StoreEngine;
const open = () => openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });

beforeEach(async () => {
  dir = tempDir();
  engine = await open();
});
afterEach(async () => {
  await engine.close();
  dir.remove();
});

/** Rows in each table, read from the closed data file. */
async function entryCounts(): Promise<Record<'log' | 'streamIndex' | 'eventIds', number>> {
  await engine.close();
  const tables = await openDataFile(dir.path, 'refuse', capturingLogger().logger);
  const count = (table: { getStats(): unknown }) => (table.getStats() as { entryCount: number }).entryCount;
  const counts = { log: count(tables.log), streamIndex: count(tables.streamIndex), eventIds: count(tables.eventIds) };
  await tables.root.close();
  engine = await open();
  return counts;
}

/** Closes the engine and writes a stream's head row straight into the data file, as an older version wrote it. */
async function putHeadRowWithEngineClosed(stream: string, row: HeadRow): Promise<void> {
  await engine.close();
  const tables = await openDataFile(dir.path, 'refuse', capturingLogger().logger);
  await tables.streams.put(stream, row);
  await tables.root.close();
}

/** `count` appends of one event each, 100 at a time (they share commits, as concurrent writers do). */
async function appendOneByOne(stream: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - done) }, () => engine.append(stream, 'any', [proposed({ data: new Uint8Array(512) })])));
  }
}

/** Pages through $all from a position (exclusive) as a catch-up subscription does. */
function catchUpFrom(position: bigint): RecordedEvent[] {
  const seen: RecordedEvent[] = [];
  for (let from = position + 1n; ; ) {
    const page = [...engine.readAll({ direction: 'forwards', from, maxCount: 256n })];
    seen.push(...page);
    if (page.length < 256) return seen;
    from = page.at(-1)!.position + 1n;
  }
}

describe('space taken by a stream with $maxCount', () => {
  it('stops growing: 10,000 appends with $maxCount 2 leave 2 events, and the file no bigger than after 1,000', async () => {
    const stream = uniqueStream('checkpoint');
    await setMetadata(engine, stream, { $maxCount: 2 });
    await engine.append(uniqueStream('other'), 'any', proposedMany(3));
    await appendOneByOne(stream, 1_000);
    const afterThousand = await entryCounts();
    const sizeAfterThousand = statSync(join(dir.path, DATA_FILE_NAME)).size;
    await appendOneByOne(stream, 9_000);
    const afterTenThousand = await entryCounts();

    // the metadata event, 3 others and the 2 newest of the stream
    expect(afterTenThousand).toEqual({ log: 6, streamIndex: 6, eventIds: 6 });
    expect(afterThousand).toEqual(afterTenThousand);
    expect(statSync(join(dir.path, DATA_FILE_NAME)).size).toBeLessThanOrEqual(sizeAfterThousand);
    expect(revisionsRead(engine, stream)).toEqual([9_998n, 9_999n]);
  }, 120_000);

  it('leaves $all in order without the removed events, and a reader at a removed position goes on at the next one', async () => {
    const stream = uniqueStream('checkpoint');
    const other = uniqueStream('other');
    await setMetadata(engine, stream, { $maxCount: 2 });
    await engine.append(other, 'any', [proposed()]);
    const checkpointed = (await engine.append(stream, 'any', [proposed()])) as { position: bigint };
    await appendOneByOne(stream, 600);
    await engine.append(other, 'any', [proposed()]);

    const all = allEvents(engine);
    const positions = all.map((event) => event.position);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(all.filter((event) => event.streamId === stream).map((event) => event.revision)).toEqual([599n, 600n]);
    const [next] = engine.readAll({ direction: 'forwards', from: checkpointed.position, maxCount: 1n });
    expect([next?.streamId, next?.revision]).toEqual([stream, 599n]);
    const resumed = catchUpFrom(checkpointed.position);
    expect(resumed.map((event) => [event.streamId, event.revision])).toEqual([[stream, 599n], [stream, 600n], [other, 1n]]);
    expect(resumed.at(-1)!.position).toBe(engine.headPosition());
    const backwards = [...engine.readAll({ direction: 'backwards', from: checkpointed.position, maxCount: 1n })];
    expect(backwards.map((event) => [event.streamId, event.revision])).toEqual([[other, 0n]]);
  });

  it('removes at most 1,000 events per append when a long stream gets a $maxCount, and reads hide the rest meanwhile', async () => {
    const stream = uniqueStream();
    for (let done = 0; done < 2_500; done += 500) await engine.append(stream, 'any', proposedMany(500));
    await setMetadata(engine, stream, { $maxCount: 1 });
    expect(revisionsRead(engine, stream)).toEqual([2_499n]);
    expect((await entryCounts()).log).toBe(1 + 2_500 - 1_000);
    await engine.append(stream, 'any', [proposed()]);
    await engine.append(stream, 'any', [proposed()]);
    expect(await entryCounts()).toEqual({ log: 2, streamIndex: 2, eventIds: 2 });
  });

  it('does not bring removed events back when the limit is raised (as after a scavenge)', async () => {
    const stream = uniqueStream();
    await setMetadata(engine, stream, { $maxCount: 2 });
    await engine.append(stream, 'any', proposedMany(5));
    await setMetadata(engine, stream, { $maxCount: 10 });
    expect(revisionsRead(engine, stream)).toEqual([3n, 4n]);
  });

  it('enforces metadata written before it was enforced, from the next open', async () => {
    const stream = uniqueStream();
    await setMetadata(engine, stream, { $maxCount: 2 });
    await engine.append(stream, 'any', proposedMany(2));
    // what a data file of the previous version holds: heads without limits, every event kept
    await putHeadRowWithEngineClosed(stream, [1, 0, 0]);
    engine = await open();
    await engine.append(stream, 'any', proposedMany(3));
    expect(revisionsRead(engine, stream)).toEqual([3n, 4n]);
    expect((await entryCounts()).log).toBe(3);
  });
});

describe('events past their stream\'s $maxAge', () => {
  const second = 1_000_000;
  let now: number;
  const openAged = (expiredEventsSweepMs?: number) =>
    openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger, nowMicros: () => now, ...(expiredEventsSweepMs ? { expiredEventsSweepMs } : {}) });

  beforeEach(async () => {
    now = Date.UTC(2026, 10, 23) * 1_000;
    await engine.close();
    engine = await openAged();
  });

  const inAll = (stream: string) => allEvents(engine).filter((event) => event.streamId === stream).map((event) => event.revision);

  it('leave storage and $all at the stream\'s next append', async () => {
    const stream = uniqueStream();
    await setMetadata(engine, stream, { $maxAge: 60 });
    await engine.append(stream, 'no_stream', proposedMany(5));
    now += 61 * second;
    await engine.append(stream, 4n, [proposed()]);
    expect(inAll(stream)).toEqual([5n]);
    expect(revisionsRead(engine, stream)).toEqual([5n]);
    expect(await entryCounts()).toEqual({ log: 2, streamIndex: 2, eventIds: 2 });
  });

  it('leave storage all but the newest, which reads still hide', async () => {
    const stream = uniqueStream();
    await engine.append(stream, 'no_stream', proposedMany(3));
    now += 61 * second;
    await setMetadata(engine, stream, { $maxAge: 60 });
    expect(inAll(stream)).toEqual([2n]);
    expect(revisionsRead(engine, stream)).toEqual([]);
    expect(engine.currentRevision(stream)).toBe(2n);
  });

  it('leave storage by the periodic sweep when their stream gets no appends, also past the first 1,000 streams with metadata', async () => {
    await engine.close();
    engine = await openAged(20);
    for (let done = 0; done < 1_200; done += 200) {
      await Promise.all(Array.from({ length: 200 }, () => setMetadata(engine, uniqueStream('capped'), { $maxCount: 5 })));
    }
    const idle = uniqueStream('zz-idle');
    await setMetadata(engine, idle, { $maxAge: 60 });
    await engine.append(idle, 'no_stream', proposedMany(4));
    const untouched = uniqueStream('zz-untouched');
    await engine.append(untouched, 'no_stream', proposedMany(2));
    expect(inAll(idle)).toEqual([0n, 1n, 2n, 3n]);

    now += 61 * second;
    await expect.poll(() => inAll(idle), { timeout: 5_000, interval: 20 }).toEqual([3n]);
    expect(revisionsRead(engine, idle)).toEqual([]);
    expect(inAll(untouched)).toEqual([0n, 1n]);
  });

  it('are hidden in a data file whose stream heads were written before $maxAge was enforced, from the next open', async () => {
    const stream = uniqueStream();
    await setMetadata(engine, stream, { $maxAge: 60 });
    await engine.append(stream, 'no_stream', proposedMany(2));
    // what a data file of the previous version holds: limits without $maxAge
    await putHeadRowWithEngineClosed(stream, [1, 0, 0, -1, 0]);
    now += 61 * second;
    engine = await openAged();
    expect(revisionsRead(engine, stream)).toEqual([]);
  });
});
