import { randomUUID } from 'node:crypto';
import { jsonEvent, MaxAppendSizeExceededError, StreamNotFoundError, UnknownError } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { appendPaths, appendVia, collect, connectToStore, numbered, numbersOf, uniqueStream } from './contract-helpers.ts';

const client = connectToStore();
const failureOf = (work: Promise<unknown>) => work.then(() => undefined, (error: unknown) => error);
const maxAppendSize = 1024 * 1024;

async function storeStillServes(): Promise<void> {
  const stream = uniqueStream('still-serving');
  await client.appendToStream(stream, numbered(2));
  expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0, 1]);
}

describe.each(appendPaths)('bad appends through $name', (path) => {
  it('rejects an event over the maximum append size and keeps serving', async () => {
    const stream = uniqueStream('too-big');
    const huge = jsonEvent({ type: 'Huge', data: { blob: 'x'.repeat(2 * maxAppendSize) } });

    const error = await failureOf(appendVia(client, path, stream, huge));
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect((error as MaxAppendSizeExceededError).maxAppendSize).toBe(maxAppendSize);
    expect(await failureOf(collect(client.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
    await storeStillServes();
  });

  it('rejects small events that together exceed the maximum append size, writing none of them', async () => {
    const stream = uniqueStream('too-many');
    const events = Array.from({ length: 8 }, (_, n) => jsonEvent({ type: 'Chunk', data: { n, blob: 'y'.repeat(512 * 1024) } }));

    expect(await failureOf(appendVia(client, path, stream, events))).toBeInstanceOf(MaxAppendSizeExceededError);
    expect(await failureOf(collect(client.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
    await storeStillServes();
  });

  it('rejects a malformed event id, writing nothing, and keeps serving', async () => {
    const stream = uniqueStream('bad-id');
    const events = [jsonEvent({ id: randomUUID(), type: 'Fine', data: {} }), jsonEvent({ id: 'not-a-uuid', type: 'Bad', data: {} })];

    expect(await failureOf(appendVia(client, path, stream, events))).toBeInstanceOf(UnknownError);
    expect(await failureOf(collect(client.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
    await storeStillServes();
  });

  it('keeps other appends on the same connection going while one is rejected', async () => {
    const stream = uniqueStream('mixed');
    const huge = jsonEvent({ type: 'Huge', data: { blob: 'z'.repeat(2 * maxAppendSize) } });
    const results = await Promise.allSettled([
      appendVia(client, path, stream, numbered(1)),
      appendVia(client, path, uniqueStream('mixed-huge'), huge),
      appendVia(client, path, stream, numbered(1, 'Numbered', 1)),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(numbersOf(await collect(client.readStream(stream))).sort()).toEqual([0, 1]);
  });
});
