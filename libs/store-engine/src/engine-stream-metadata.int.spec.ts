import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreEngine } from './engine.ts';
import { proposed, proposedMany, revisionsRead, setMetadata, uniqueStream } from './testing/fixtures.ts';
import { engineSubjects } from './testing/engine-subjects.ts';
import type { EngineSubject } from './testing/engine-subjects.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => BigInt(from + index));

describe.each(engineSubjects)('$name engine: stream metadata', (subject) => {
  let instance: ReturnType<EngineSubject['make']>;
  let engine: StoreEngine;
  let stream: string;

  beforeEach(async () => {
    instance = subject.make();
    engine = await instance.open();
    stream = uniqueStream();
  });

  afterEach(async () => {
    await engine.close();
    instance.cleanup();
  });

  describe('$maxCount', () => {
    beforeEach(async () => {
      await setMetadata(engine, stream, { $maxCount: 3 });
      for (let index = 0; index < 10; index++) await engine.append(stream, 'any', [proposed()]);
    });

    it('reads forwards only the newest events, with their revisions, from any earlier revision', () => {
      expect(revisionsRead(engine, stream)).toEqual([7n, 8n, 9n]);
      expect(revisionsRead(engine, stream, { from: 2n })).toEqual([7n, 8n, 9n]);
      expect(revisionsRead(engine, stream, { from: 8n })).toEqual([8n, 9n]);
      expect(revisionsRead(engine, stream, { maxCount: 2n })).toEqual([7n, 8n]);
      expect(engine.currentRevision(stream)).toBe(9n);
    });

    it('reads backwards down to the oldest visible event only', () => {
      expect(revisionsRead(engine, stream, { direction: 'backwards', from: 'end' })).toEqual([9n, 8n, 7n]);
      expect(revisionsRead(engine, stream, { direction: 'backwards', from: 8n })).toEqual([8n, 7n]);
      expect(revisionsRead(engine, stream, { direction: 'backwards', from: 5n })).toEqual([]);
      expect(revisionsRead(engine, stream, { direction: 'backwards', from: 'start' })).toEqual([]);
    });

    it('follows a later, smaller $maxCount and keeps it for new appends', async () => {
      await setMetadata(engine, stream, { $maxCount: 1 });
      expect(revisionsRead(engine, stream)).toEqual([9n]);
      await engine.append(stream, 'any', proposedMany(2));
      expect(revisionsRead(engine, stream)).toEqual([11n]);
    });

    it('still answers a re-append of the newest event with its original result', async () => {
      const event = proposed();
      const first = await engine.append(stream, 'any', [event]);
      expect(await engine.append(stream, 'any', [event])).toEqual(first);
      expect(revisionsRead(engine, stream)).toEqual([8n, 9n, 10n]);
    });
  });

  it('hides the revisions below $tb, forwards and backwards', async () => {
    await engine.append(stream, 'no_stream', proposedMany(10));
    await setMetadata(engine, stream, { $tb: 6 });
    expect(revisionsRead(engine, stream)).toEqual(range(6, 9));
    expect(revisionsRead(engine, stream, { direction: 'backwards', from: 'end' })).toEqual(range(6, 9).reverse());
    await setMetadata(engine, stream, { $tb: 6, $maxCount: 2 });
    expect(revisionsRead(engine, stream)).toEqual([8n, 9n]);
  });

  it('reads a stream whose $tb is past its end as empty, and one deleted through $tb as not found', async () => {
    await engine.append(stream, 'no_stream', proposedMany(3));
    await setMetadata(engine, stream, { $tb: 3 });
    expect(revisionsRead(engine, stream)).toEqual([]);
    await engine.append(stream, 'any', [proposed()]);
    expect(revisionsRead(engine, stream)).toEqual([3n]);
    await setMetadata(engine, stream, { $tb: 2 ** 63 });
    expect(engine.readStream(stream, { direction: 'forwards', from: 'start', maxCount: 1n })).toEqual({ kind: 'stream_not_found' });
  });

  it('applies metadata set before the first event, and ignores metadata that is not valid', async () => {
    await setMetadata(engine, stream, { $maxCount: 2 });
    await engine.append(stream, 'any', proposedMany(5));
    expect(revisionsRead(engine, stream)).toEqual([3n, 4n]);
    await setMetadata(engine, stream, { $maxCount: 'two', $tb: -1 });
    await engine.append(stream, 'any', [proposed()]);
    expect(revisionsRead(engine, stream).at(-1)).toBe(5n);
  });

  it('keeps only the newest event of a metadata stream, as EventStoreDB does', async () => {
    await setMetadata(engine, stream, { $maxCount: 5 });
    await setMetadata(engine, stream, { $maxCount: 4 });
    await setMetadata(engine, stream, { $maxCount: 3 });
    expect(revisionsRead(engine, `$$${stream}`)).toEqual([2n]);
  });

  it('deletes a stream\'s metadata stream with the stream: after a tombstone it reads and writes as deleted', async () => {
    await setMetadata(engine, stream, { $maxCount: 5 });
    await engine.append(stream, 'no_stream', [proposed()]);
    await engine.tombstoneStream(stream, 'any');
    expect(engine.readStream(`$$${stream}`, { direction: 'backwards', from: 'end', maxCount: 1n })).toEqual({ kind: 'stream_deleted' });
    expect(await setMetadata(engine, stream, { $maxCount: 1 })).toEqual({ kind: 'stream_deleted' });
  });

  it('leaves streams without metadata whole', async () => {
    await setMetadata(engine, uniqueStream(), { $maxCount: 1 });
    await engine.append(stream, 'no_stream', proposedMany(4));
    expect(revisionsRead(engine, stream)).toEqual(range(0, 3));
  });

  describe('$maxAge', () => {
    const second = 1_000_000;
    let now: number;
    let aged: ReturnType<EngineSubject['make']>;
    let agedEngine: StoreEngine;

    beforeEach(async () => {
      now = Date.UTC(2026, 10, 23) * 1_000;
      aged = subject.make({ nowMicros: () => now });
      agedEngine = await aged.open();
    });

    afterEach(async () => {
      await agedEngine.close();
      aged.cleanup();
    });

    it('hides the events older than $maxAge from reads of the stream, forwards and backwards, and counts only the others', async () => {
      await agedEngine.append(stream, 'no_stream', proposedMany(3));
      now += 30 * second;
      await agedEngine.append(stream, 'any', proposedMany(3));
      await setMetadata(agedEngine, stream, { $maxAge: 20 });
      expect(revisionsRead(agedEngine, stream)).toEqual([3n, 4n, 5n]);
      expect(revisionsRead(agedEngine, stream, { maxCount: 2n })).toEqual([3n, 4n]);
      expect(revisionsRead(agedEngine, stream, { from: 1n, maxCount: 1n })).toEqual([3n]);
      expect(revisionsRead(agedEngine, stream, { direction: 'backwards', from: 'end' })).toEqual([5n, 4n, 3n]);
      expect(revisionsRead(agedEngine, stream, { direction: 'backwards', from: 2n })).toEqual([]);
      expect(agedEngine.currentRevision(stream)).toBe(5n);
    });

    it('lets events expire while the stream is idle: the stream then reads empty but keeps its revision', async () => {
      await setMetadata(agedEngine, stream, { $maxAge: 10 });
      await agedEngine.append(stream, 'no_stream', proposedMany(2));
      now += 9 * second;
      expect(revisionsRead(agedEngine, stream)).toEqual([0n, 1n]);
      now += 2 * second;
      expect(revisionsRead(agedEngine, stream)).toEqual([]);
      expect(agedEngine.currentRevision(stream)).toBe(1n);
      await agedEngine.append(stream, 1n, [proposed()]);
      expect(revisionsRead(agedEngine, stream)).toEqual([2n]);
    });

    it('applies the stricter of $maxAge and $maxCount', async () => {
      await agedEngine.append(stream, 'no_stream', proposedMany(2));
      now += 60 * second;
      await agedEngine.append(stream, 'any', proposedMany(4));
      await setMetadata(agedEngine, stream, { $maxAge: 30, $maxCount: 5 });
      expect(revisionsRead(agedEngine, stream)).toEqual(range(2, 5));
      await setMetadata(agedEngine, stream, { $maxAge: 30, $maxCount: 2 });
      expect(revisionsRead(agedEngine, stream)).toEqual([4n, 5n]);
    });
  });

  describe.runIf(subject.durable)('after a restart', () => {
    it('still enforces the metadata', async () => {
      await setMetadata(engine, stream, { $maxCount: 2 });
      await engine.append(stream, 'any', proposedMany(5));
      await engine.close();
      engine = await instance.open();
      expect(revisionsRead(engine, stream)).toEqual([3n, 4n]);
      await engine.append(stream, 'any', [proposed()]);
      expect(revisionsRead(engine, stream)).toEqual([4n, 5n]);
    });
  });
});
