import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppendOutcome, RecordedEvent, StoreEngine } from './engine.ts';
import { allEvents, proposed, proposedMany, streamEvents, uniqueStream } from './testing/fixtures.ts';
import { engineSubjects } from './testing/engine-subjects.ts';
import type { EngineSubject } from './testing/engine-subjects.ts';

const everything = 1_000_000n;

function success(outcome: AppendOutcome) {
  if (outcome.kind !== 'success') throw new Error(`expected success, got ${JSON.stringify(outcome, bigints)}`);
  return outcome;
}

function bigints(_key: string, value: unknown) {
  return typeof value === 'bigint' ? `${value}n` : value;
}

const revisions = (events: Iterable<RecordedEvent>) => [...events].map((event) => event.revision);
const positions = (events: Iterable<RecordedEvent>) => [...events].map((event) => event.position);

describe.each(engineSubjects)('$name engine', (subject) => {
  let instance: ReturnType<EngineSubject['make']>;
  let engine: StoreEngine;

  beforeEach(async () => {
    instance = subject.make();
    engine = await instance.open();
  });

  afterEach(async () => {
    await engine.close();
    instance.cleanup();
  });

  describe('expected revision', () => {
    it('creates a stream with no_stream and reports the revision and position of the last event', async () => {
      const stream = uniqueStream();
      const outcome = success(await engine.append(stream, 'no_stream', proposedMany(3)));
      expect(outcome.nextRevision).toBe(2n);
      const recorded = streamEvents(engine, stream);
      expect(revisions(recorded)).toEqual([0n, 1n, 2n]);
      expect(outcome.position).toBe(recorded[2]!.position);
      expect(engine.currentRevision(stream)).toBe(2n);
      expect(engine.headPosition()).toBe(outcome.position);
    });

    it('accepts any on a new and on an existing stream', async () => {
      const stream = uniqueStream();
      expect(success(await engine.append(stream, 'any', [proposed()])).nextRevision).toBe(0n);
      expect(success(await engine.append(stream, 'any', [proposed()])).nextRevision).toBe(1n);
    });

    it('rejects no_stream on an existing stream with the current revision', async () => {
      const stream = uniqueStream();
      await engine.append(stream, 'no_stream', proposedMany(2));
      expect(await engine.append(stream, 'no_stream', [proposed()])).toEqual({
        kind: 'wrong_expected_version',
        currentRevision: 1n,
        expected: 'no_stream',
      });
    });

    it('requires stream_exists to find the stream', async () => {
      const stream = uniqueStream();
      expect(await engine.append(stream, 'stream_exists', [proposed()])).toEqual({
        kind: 'wrong_expected_version',
        currentRevision: 'no_stream',
        expected: 'stream_exists',
      });
      await engine.append(stream, 'any', [proposed()]);
      expect(success(await engine.append(stream, 'stream_exists', [proposed()])).nextRevision).toBe(1n);
    });

    it('appends at an exact revision only when it is the current one', async () => {
      const stream = uniqueStream();
      expect(await engine.append(stream, 0n, [proposed()])).toMatchObject({ kind: 'wrong_expected_version', currentRevision: 'no_stream' });
      await engine.append(stream, 'no_stream', proposedMany(3));
      expect(await engine.append(stream, 1n, [proposed()])).toEqual({ kind: 'wrong_expected_version', currentRevision: 2n, expected: 1n });
      expect(await engine.append(stream, 5n, [proposed()])).toEqual({ kind: 'wrong_expected_version', currentRevision: 2n, expected: 5n });
      expect(success(await engine.append(stream, 2n, [proposed()])).nextRevision).toBe(3n);
      expect(streamEvents(engine, stream)).toHaveLength(4);
    });

    it('answers an empty append with the current revision and writes nothing', async () => {
      const stream = uniqueStream();
      expect(success(await engine.append(stream, 'no_stream', [])).nextRevision).toBe(-1n);
      await engine.append(stream, 'any', proposedMany(2));
      expect(success(await engine.append(stream, 1n, [])).nextRevision).toBe(1n);
      expect(allEvents(engine)).toHaveLength(2);
    });
  });

  describe('idempotent re-append', () => {
    it('returns the original result for the same ids at the same expected revision and writes nothing', async () => {
      const stream = uniqueStream();
      const batch = proposedMany(2);
      const first = await engine.append(stream, 'no_stream', batch);
      expect(await engine.append(stream, 'no_stream', batch)).toEqual(first);
      const next = [proposed()];
      const third = await engine.append(stream, 1n, next);
      expect(await engine.append(stream, 1n, next)).toEqual(third);
      expect(allEvents(engine)).toHaveLength(3);
      expect(engine.currentRevision(stream)).toBe(2n);
    });

    it('recognises a re-append with any or stream_exists', async () => {
      const stream = uniqueStream();
      await engine.append(stream, 'any', [proposed()]);
      const batch = proposedMany(3);
      const original = await engine.append(stream, 'any', batch);
      expect(await engine.append(stream, 'any', batch)).toEqual(original);
      expect(await engine.append(stream, 'stream_exists', batch)).toEqual(original);
      expect(streamEvents(engine, stream)).toHaveLength(4);
    });

    it('does not treat the same ids in another stream as a re-append', async () => {
      const batch = proposedMany(2);
      await engine.append(uniqueStream(), 'any', batch);
      const other = uniqueStream();
      expect(success(await engine.append(other, 'any', batch)).nextRevision).toBe(1n);
      expect(streamEvents(engine, other).map((event) => event.id)).toEqual(batch.map((event) => event.id));
    });

    it('rejects ids that match only the start of what follows the expected revision', async () => {
      const stream = uniqueStream();
      const batch = proposedMany(2);
      await engine.append(stream, 'no_stream', batch);
      expect(await engine.append(stream, 'no_stream', [batch[0]!, proposed()])).toMatchObject({ kind: 'wrong_expected_version', currentRevision: 1n });
    });
  });

  describe('soft delete', () => {
    it('makes the stream read as not found and lets it be written again from the next revision', async () => {
      const stream = uniqueStream();
      await engine.append(stream, 'no_stream', proposedMany(3));
      expect(await engine.deleteStream(stream, 2n)).toMatchObject({ kind: 'success' });
      expect(engine.readStream(stream, { direction: 'forwards', from: 'start', maxCount: everything })).toEqual({ kind: 'stream_not_found' });
      expect(engine.currentRevision(stream)).toBe('no_stream');

      expect(success(await engine.append(stream, 'no_stream', [proposed()])).nextRevision).toBe(3n);
      expect(revisions(streamEvents(engine, stream))).toEqual([3n]);
      const backwards = engine.readStream(stream, { direction: 'backwards', from: 'end', maxCount: everything });
      expect(backwards.kind === 'events' && revisions(backwards.events)).toEqual([3n]);
      expect(allEvents(engine)).toHaveLength(4);
    });

    it('checks the expected revision', async () => {
      const stream = uniqueStream();
      await engine.append(stream, 'no_stream', proposedMany(2));
      expect(await engine.deleteStream(stream, 0n)).toEqual({ kind: 'wrong_expected_version', currentRevision: 1n, expected: 0n });
      expect(await engine.deleteStream(stream, 'no_stream')).toMatchObject({ kind: 'wrong_expected_version' });
      expect(engine.currentRevision(stream)).toBe(1n);
    });

    it('refuses to delete a stream that was never written, as EventStoreDB does', async () => {
      const stream = uniqueStream();
      expect(await engine.deleteStream(stream, 'any')).toEqual({ kind: 'wrong_expected_version', currentRevision: 'no_stream', expected: 'any' });
    });
  });

  describe('tombstone', () => {
    it('deletes the stream for good: reads, appends and deletes report stream_deleted', async () => {
      const stream = uniqueStream();
      await engine.append(stream, 'no_stream', proposedMany(2));
      expect(await engine.tombstoneStream(stream, 'any')).toMatchObject({ kind: 'success' });
      expect(engine.readStream(stream, { direction: 'forwards', from: 'start', maxCount: everything })).toEqual({ kind: 'stream_deleted' });
      expect(await engine.append(stream, 'any', [proposed()])).toEqual({ kind: 'stream_deleted' });
      expect(await engine.append(stream, 'no_stream', [proposed()])).toEqual({ kind: 'stream_deleted' });
      expect(await engine.deleteStream(stream, 'any')).toEqual({ kind: 'stream_deleted' });
      expect(await engine.tombstoneStream(stream, 'any')).toEqual({ kind: 'stream_deleted' });
    });

    it('can tombstone a stream that never existed, and a soft-deleted one', async () => {
      const never = uniqueStream();
      expect(await engine.tombstoneStream(never, 'no_stream')).toMatchObject({ kind: 'success' });
      expect(engine.readStream(never, { direction: 'forwards', from: 'start', maxCount: 1n })).toEqual({ kind: 'stream_deleted' });

      const soft = uniqueStream();
      await engine.append(soft, 'any', [proposed()]);
      await engine.deleteStream(soft, 'any');
      expect(await engine.tombstoneStream(soft, 'no_stream')).toMatchObject({ kind: 'success' });
      expect(await engine.append(soft, 'any', [proposed()])).toEqual({ kind: 'stream_deleted' });
    });

    it('checks the expected revision', async () => {
      const stream = uniqueStream();
      await engine.append(stream, 'no_stream', [proposed()]);
      expect(await engine.tombstoneStream(stream, 3n)).toEqual({ kind: 'wrong_expected_version', currentRevision: 0n, expected: 3n });
      expect(success(await engine.append(stream, 0n, [proposed()])).nextRevision).toBe(1n);
    });
  });

  describe('reading a stream', () => {
    let stream: string;
    beforeEach(async () => {
      stream = uniqueStream();
      await engine.append(uniqueStream('other'), 'any', proposedMany(2));
      await engine.append(stream, 'no_stream', proposedMany(5));
      await engine.append(uniqueStream('other'), 'any', proposedMany(2));
    });

    const read = (options: Parameters<StoreEngine['readStream']>[1]) => {
      const outcome = engine.readStream(stream, options);
      if (outcome.kind !== 'events') throw new Error(outcome.kind);
      return revisions(outcome.events);
    };

    it('reads forwards from the start, from a revision, with maxCount', () => {
      expect(read({ direction: 'forwards', from: 'start', maxCount: everything })).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(read({ direction: 'forwards', from: 'start', maxCount: 2n })).toEqual([0n, 1n]);
      expect(read({ direction: 'forwards', from: 3n, maxCount: everything })).toEqual([3n, 4n]);
      expect(read({ direction: 'forwards', from: 10n, maxCount: everything })).toEqual([]);
      expect(read({ direction: 'forwards', from: 'end', maxCount: everything })).toEqual([]);
    });

    it('reads backwards from the end, from a revision, with maxCount', () => {
      expect(read({ direction: 'backwards', from: 'end', maxCount: everything })).toEqual([4n, 3n, 2n, 1n, 0n]);
      expect(read({ direction: 'backwards', from: 'end', maxCount: 2n })).toEqual([4n, 3n]);
      expect(read({ direction: 'backwards', from: 2n, maxCount: everything })).toEqual([2n, 1n, 0n]);
      expect(read({ direction: 'backwards', from: 99n, maxCount: 1n })).toEqual([4n]);
    });

    it('reads backwards from the start as from revision 0, as EventStoreDB does', () => {
      expect(read({ direction: 'backwards', from: 'start', maxCount: everything })).toEqual([0n]);
    });

    it('reports a stream that was never written as not found', () => {
      expect(engine.readStream(uniqueStream(), { direction: 'forwards', from: 'start', maxCount: 1n })).toEqual({ kind: 'stream_not_found' });
      expect(engine.currentRevision(uniqueStream())).toBe('no_stream');
    });

    it('returns what was appended', async () => {
      const event = proposed({ type: 'Typed', contentType: 'application/octet-stream', data: new Uint8Array([0, 1, 255]), metadata: new Uint8Array([7]) });
      const before = BigInt(Date.now()) * 10_000n;
      await engine.append(stream, 4n, [event]);
      const recorded = streamEvents(engine, stream).at(-1)!;
      expect(recorded).toMatchObject({ streamId: stream, revision: 5n, id: event.id, type: 'Typed', contentType: 'application/octet-stream' });
      expect([...recorded.data]).toEqual([0, 1, 255]);
      expect([...recorded.metadata]).toEqual([7]);
      expect(recorded.created).toBeGreaterThanOrEqual(before - 10_000_000n);
      expect(recorded.created).toBeLessThanOrEqual(BigInt(Date.now()) * 10_000n + 10_000_000n);
    });
  });

  describe('reading $all', () => {
    it('returns every event in append order across streams, forwards and backwards', async () => {
      const [a, b] = [uniqueStream('a'), uniqueStream('b')];
      await engine.append(a, 'any', proposedMany(2));
      await engine.append(b, 'any', proposedMany(1));
      await engine.append(a, 'any', proposedMany(2));
      const forwards = allEvents(engine);
      expect(forwards.map((event) => [event.streamId, event.revision])).toEqual([
        [a, 0n], [a, 1n], [b, 0n], [a, 2n], [a, 3n],
      ]);
      const ascending = positions(forwards);
      expect([...ascending].sort((x, y) => (x < y ? -1 : 1))).toEqual(ascending);
      expect(new Set(ascending).size).toBe(5);
      const backwards = [...engine.readAll({ direction: 'backwards', from: 'end', maxCount: everything })];
      expect(positions(backwards)).toEqual([...ascending].reverse());
    });

    it('starts at a position (inclusive) and honours maxCount', async () => {
      await engine.append(uniqueStream(), 'any', proposedMany(6));
      const all = positions(allEvents(engine));
      expect(positions(engine.readAll({ direction: 'forwards', from: all[2]!, maxCount: 2n }))).toEqual([all[2], all[3]]);
      expect(positions(engine.readAll({ direction: 'backwards', from: all[2]!, maxCount: everything }))).toEqual([all[2], all[1], all[0]]);
      expect(positions(engine.readAll({ direction: 'backwards', from: 'end', maxCount: 1n }))).toEqual([all[5]]);
      expect([...engine.readAll({ direction: 'forwards', from: 'end', maxCount: everything })]).toEqual([]);
      expect([...engine.readAll({ direction: 'backwards', from: 'start', maxCount: everything })]).toEqual([]);
      expect([...engine.readAll({ direction: 'forwards', from: 'start', maxCount: 0n })]).toEqual([]);
    });

    it('reports an empty log as head position -1', () => {
      expect(engine.headPosition()).toBe(-1n);
      expect(allEvents(engine)).toEqual([]);
    });
  });

  describe('concurrent appends', () => {
    it('assigns revisions and positions in the order the appends were made', async () => {
      const stream = uniqueStream();
      const outcomes = await Promise.all(Array.from({ length: 32 }, () => engine.append(stream, 'any', [proposed()])));
      expect(outcomes.map((outcome) => success(outcome).nextRevision)).toEqual(Array.from({ length: 32 }, (_, index) => BigInt(index)));
      const recorded = streamEvents(engine, stream);
      expect(positions(recorded)).toEqual(outcomes.map((outcome) => success(outcome).position));
    });

    it('lets exactly one of several appends with the same expected revision win', async () => {
      const stream = uniqueStream();
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => engine.append(stream, 'no_stream', [proposed()])));
      expect(outcomes.filter((outcome) => outcome.kind === 'success')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.kind === 'wrong_expected_version')).toHaveLength(7);
    });

    it('keeps the events of one append together in $all', async () => {
      const streams = Array.from({ length: 16 }, () => uniqueStream());
      await Promise.all(streams.map((stream) => engine.append(stream, 'no_stream', proposedMany(3))));
      const order = allEvents(engine).map((event) => event.streamId);
      for (let index = 0; index < order.length; index += 3) expect(new Set(order.slice(index, index + 3)).size).toBe(1);
    });
  });

  describe('onCommitted', () => {
    it('reports the new head position after appends, and stops after unsubscribe', async () => {
      const seen: bigint[] = [];
      const unsubscribe = engine.onCommitted((head) => seen.push(head));
      const outcome = success(await engine.append(uniqueStream(), 'any', proposedMany(2)));
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen.at(-1)).toBe(outcome.position);
      expect(engine.headPosition()).toBe(outcome.position);
      unsubscribe();
      const count = seen.length;
      await engine.append(uniqueStream(), 'any', [proposed()]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toHaveLength(count);
    });

    it('lets a listener read the events it is told about', async () => {
      const read: RecordedEvent[][] = [];
      engine.onCommitted((head) => read.push([...engine.readAll({ direction: 'backwards', from: head, maxCount: 1n })]));
      const outcome = success(await engine.append(uniqueStream(), 'any', [proposed()]));
      await new Promise((resolve) => setImmediate(resolve));
      expect(read.at(-1)?.map((event) => event.position)).toEqual([outcome.position]);
    });
  });

  describe.runIf(subject.durable)('after a restart', () => {
    it('has the same events, heads, deletes and idempotency as before', async () => {
      const [kept, soft, hard] = [uniqueStream(), uniqueStream(), uniqueStream()];
      const batch = proposedMany(3);
      const original = await engine.append(kept, 'no_stream', batch);
      await engine.append(soft, 'any', proposedMany(2));
      await engine.deleteStream(soft, 'any');
      await engine.append(hard, 'any', [proposed()]);
      await engine.tombstoneStream(hard, 'any');
      const before = allEvents(engine);
      await engine.close();

      engine = await instance.open();
      expect(allEvents(engine)).toEqual(before);
      expect(engine.headPosition()).toBe(before.at(-1)!.position);
      expect(engine.currentRevision(kept)).toBe(2n);
      expect(engine.readStream(soft, { direction: 'forwards', from: 'start', maxCount: 1n })).toEqual({ kind: 'stream_not_found' });
      expect(engine.readStream(hard, { direction: 'forwards', from: 'start', maxCount: 1n })).toEqual({ kind: 'stream_deleted' });
      expect(await engine.append(kept, 'no_stream', batch)).toEqual(original);
      expect(success(await engine.append(soft, 'no_stream', [proposed()])).nextRevision).toBe(2n);
      expect(success(await engine.append(uniqueStream(), 'any', [proposed()])).position).toBeGreaterThan(before.at(-1)!.position);
    });
  });
});
