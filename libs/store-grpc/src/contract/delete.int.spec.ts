import { StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { collect, connectToStore, numbered, numbersOf, uniqueStream } from './contract-helpers.ts';

const client = connectToStore();
const failureOf = (work: Promise<unknown>) => work.then(() => undefined, (error: unknown) => error);

describe('deleteStream', () => {
  it('soft-deletes: the stream reads as not found, and may be written again', async () => {
    const stream = uniqueStream('delete-soft');
    await client.appendToStream(stream, numbered(2));
    await client.deleteStream(stream, { expectedRevision: 1n });

    expect(await failureOf(collect(client.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
    await client.appendToStream(stream, numbered(1, 'Numbered', 2));
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([2]);
  });

  it('rejects a wrong expected revision with the actual one and deletes nothing', async () => {
    const stream = uniqueStream('delete-wrong');
    await client.appendToStream(stream, numbered(3));

    const error = await failureOf(client.deleteStream(stream, { expectedRevision: 0n }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).streamName).toBe(stream);
    expect((error as WrongExpectedVersionError).actualVersion).toBe(2n);
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0, 1, 2]);
  });
});

describe('tombstoneStream', () => {
  it('hard-deletes: reads, appends and deletes fail with StreamDeletedError for good', async () => {
    const stream = uniqueStream('tombstone');
    await client.appendToStream(stream, numbered(2));
    await client.tombstoneStream(stream, { expectedRevision: 1n });

    const readError = await failureOf(collect(client.readStream(stream)));
    expect(readError).toBeInstanceOf(StreamDeletedError);
    expect((readError as StreamDeletedError).streamName).toBe(stream);
    expect(await failureOf(client.appendToStream(stream, numbered(1)))).toBeInstanceOf(StreamDeletedError);
    expect(await failureOf(client.deleteStream(stream))).toBeInstanceOf(StreamDeletedError);
    expect(await failureOf(client.tombstoneStream(stream))).toBeInstanceOf(StreamDeletedError);
  });

  it('deletes the stream\'s metadata with it: getting or setting it fails with StreamDeletedError', async () => {
    const stream = uniqueStream('tombstone-metadata');
    await client.setStreamMetadata(stream, { maxCount: 5 });
    await client.appendToStream(stream, numbered(1));
    await client.tombstoneStream(stream);

    expect(await failureOf(client.getStreamMetadata(stream))).toBeInstanceOf(StreamDeletedError);
    expect(await failureOf(client.setStreamMetadata(stream, { maxCount: 1 }))).toBeInstanceOf(StreamDeletedError);
  });

  it('rejects a wrong expected revision', async () => {
    const stream = uniqueStream('tombstone-wrong');
    await client.appendToStream(stream, numbered(1));
    expect(await failureOf(client.tombstoneStream(stream, { expectedRevision: 'no_stream' }))).toBeInstanceOf(WrongExpectedVersionError);
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0]);
  });
});

describe('stream metadata', () => {
  it('sets and gets metadata, the newest version winning', async () => {
    const stream = uniqueStream('metadata');
    await client.appendToStream(stream, numbered(1));
    await client.setStreamMetadata(stream, { maxCount: 10, owner: 'team-a' });
    await client.setStreamMetadata(stream, { maxCount: 20, owner: 'team-b' }, { expectedRevision: 0n });

    const result = await client.getStreamMetadata(stream);
    expect(result.streamName).toBe(stream);
    expect(result.metadata).toEqual({ maxCount: 20, owner: 'team-b' });
  });

  it('reports no metadata for a stream that never had any', async () => {
    const stream = uniqueStream('metadata-none');
    const result = await client.getStreamMetadata(stream);
    expect(result).toEqual({ streamName: stream });
  });

  it('rejects a stale metadata revision', async () => {
    const stream = uniqueStream('metadata-stale');
    await client.setStreamMetadata(stream, { maxAge: 60 });
    expect(await failureOf(client.setStreamMetadata(stream, { maxAge: 30 }, { expectedRevision: 'no_stream' }))).toBeInstanceOf(
      WrongExpectedVersionError,
    );
  });
});
