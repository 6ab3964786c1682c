import { randomUUID } from 'node:crypto';
import { jsonEvent, StreamDeletedError, WrongExpectedVersionError } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { appendPaths, appendVia, collect, connectToStore, numbered, numbersOf, uniqueStream } from './contract-helpers.ts';

const client = connectToStore();

async function wrongExpectedVersion(append: Promise<unknown>): Promise<WrongExpectedVersionError> {
  const error = await append.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  return error as WrongExpectedVersionError;
}

describe.each(appendPaths)('appendToStream through $name', (path) => {
  it('appends to a new stream with no_stream and reports the revision and a position', async () => {
    const stream = uniqueStream('append-new');
    const result = await appendVia(client, path, stream, numbered(3), 'no_stream');

    expect(result.success).toBe(true);
    expect(result.nextExpectedRevision).toBe(2n);
    expect(result.position?.commit).toBeGreaterThan(0n);
    const read = await collect(client.readStream(stream));
    expect(numbersOf(read)).toEqual([0, 1, 2]);
    expect(read.at(-1)?.event?.position).toEqual(result.position);
  });

  it('appends with any, whether or not the stream exists', async () => {
    const stream = uniqueStream('append-any');
    await appendVia(client, path, stream, numbered(1), 'any');
    const second = await appendVia(client, path, stream, numbered(2, 'Numbered', 1), 'any');

    expect(second.nextExpectedRevision).toBe(2n);
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0, 1, 2]);
  });

  it('appends at an exact revision and rejects a stale one with the actual revision', async () => {
    const stream = uniqueStream('append-exact');
    await appendVia(client, path, stream, numbered(2), 'no_stream');
    const next = await appendVia(client, path, stream, numbered(1, 'Numbered', 2), 1n);
    expect(next.nextExpectedRevision).toBe(2n);

    const error = await wrongExpectedVersion(appendVia(client, path, stream, numbered(1, 'Numbered', 9), 1n));
    expect(error.streamName).toBe(stream);
    expect(error.expectedVersion).toBe(1n);
    expect(error.actualVersion).toBe(2n);
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0, 1, 2]);
  });

  it('rejects no_stream on an existing stream with the actual revision', async () => {
    const stream = uniqueStream('append-no-stream');
    await appendVia(client, path, stream, numbered(4), 'no_stream');

    const error = await wrongExpectedVersion(appendVia(client, path, stream, numbered(1), 'no_stream'));
    expect(error.expectedVersion).toBe('no_stream');
    expect(error.actualVersion).toBe(3n);
  });

  it('accepts stream_exists on an existing stream and rejects it on a missing one', async () => {
    const stream = uniqueStream('append-exists');
    await appendVia(client, path, stream, numbered(1), 'no_stream');
    const appended = await appendVia(client, path, stream, numbered(1, 'Numbered', 1), 'stream_exists');
    expect(appended.nextExpectedRevision).toBe(1n);

    const error = await wrongExpectedVersion(appendVia(client, path, uniqueStream('append-missing'), numbered(1), 'stream_exists'));
    expect(error.expectedVersion).toBe('stream_exists');
    expect(error.actualVersion).toBe('no_stream');
  });

  it('rejects an exact revision on a missing stream as no_stream', async () => {
    const error = await wrongExpectedVersion(appendVia(client, path, uniqueStream('append-exact-missing'), numbered(1), 0n));
    expect(error.expectedVersion).toBe(0n);
    expect(error.actualVersion).toBe('no_stream');
  });

  it('returns the original result when the same event ids are appended again', async () => {
    const stream = uniqueStream('append-idempotent');
    const events = [0, 1].map((n) => jsonEvent({ id: randomUUID(), type: 'Numbered', data: { n } }));
    const first = await appendVia(client, path, stream, events, 'no_stream');
    const again = await appendVia(client, path, stream, events, 'no_stream');
    const withAny = await appendVia(client, path, stream, events, 'any');

    expect(again.success).toBe(true);
    expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
    expect(withAny.nextExpectedRevision).toBe(first.nextExpectedRevision);
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0, 1]);
  });

  it('appends many events in one call atomically, in order', async () => {
    const stream = uniqueStream('append-many');
    const result = await appendVia(client, path, stream, numbered(500), 'no_stream');

    expect(result.nextExpectedRevision).toBe(499n);
    const read = await collect(client.readStream(stream));
    expect(numbersOf(read)).toEqual(Array.from({ length: 500 }, (_, n) => n));
    const positions = read.map((resolved) => resolved.event!.position!.commit);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('rejects appends to a tombstoned stream with StreamDeletedError', async () => {
    const stream = uniqueStream('append-tombstoned');
    await appendVia(client, path, stream, numbered(1));
    await client.tombstoneStream(stream);

    const error = await appendVia(client, path, stream, numbered(1)).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
  });

  it('continues the revisions of a soft-deleted stream', async () => {
    const stream = uniqueStream('append-soft-deleted');
    await appendVia(client, path, stream, numbered(3));
    await client.deleteStream(stream);
    const result = await appendVia(client, path, stream, numbered(1, 'Numbered', 3), 'no_stream');

    expect(result.nextExpectedRevision).toBe(3n);
    const read = await collect(client.readStream(stream));
    expect(read.map((resolved) => resolved.event?.revision)).toEqual([3n]);
  });
});

describe('concurrent appends', () => {
  it('gives every writer its own revisions when many append to one stream at once', async () => {
    const stream = uniqueStream('append-concurrent');
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, writer) => client.appendToStream(stream, numbered(2, 'Numbered', writer * 2))),
    );

    const revisions = results.map((result) => result.nextExpectedRevision).sort((a, b) => (a < b ? -1 : 1));
    expect(revisions).toEqual(Array.from({ length: 32 }, (_, index) => BigInt(index * 2 + 1)));
    const writers = numbersOf(await collect(client.readStream(stream))).map((n) => Math.floor(n / 2));
    expect(writers).toHaveLength(64);
    // Each append's two events sit side by side: appends are atomic.
    for (let revision = 0; revision < 64; revision += 2) expect(writers[revision + 1]).toBe(writers[revision]);
    expect(new Set(writers).size).toBe(32);
  });
});
