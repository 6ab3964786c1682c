import { BACKWARDS, END, FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import type { Position } from '@eventstore/db-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, connectToStore, numbered, numbersIn, numbersOf, uniqueStream } from './contract-helpers.ts';

const client = connectToStore();

describe('readStream', () => {
  const stream = uniqueStream('read-stream');
  beforeAll(async () => {
    await client.appendToStream(stream, numbered(10), { expectedRevision: 'no_stream' });
  });

  it('reads forwards from the start', async () => {
    const events = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: START }));
    expect(numbersOf(events)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events.map((resolved) => resolved.event?.revision)).toEqual(Array.from({ length: 10 }, (_, n) => BigInt(n)));
  });

  it('reads forwards from a revision, including it, up to maxCount', async () => {
    const events = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: 4n, maxCount: 3 }));
    expect(numbersOf(events)).toEqual([4, 5, 6]);
  });

  it('reads backwards from the end', async () => {
    const events = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 4 }));
    expect(numbersOf(events)).toEqual([9, 8, 7, 6]);
  });

  it('reads backwards from a revision, including it', async () => {
    const events = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n }));
    expect(numbersOf(events)).toEqual([2, 1, 0]);
  });

  it('reads nothing forwards from the end or past the last revision', async () => {
    expect(await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: END }))).toEqual([]);
    expect(await collect(client.readStream(stream, { fromRevision: 10n }))).toEqual([]);
  });

  it('reads a long stream whole and in order, across pages and batched writes', async () => {
    const long = uniqueStream('read-long');
    for (let from = 0; from < 3_000; from += 500) await client.appendToStream(long, numbered(500, 'Numbered', from));
    const events = await collect(client.readStream(long));
    expect(numbersOf(events)).toEqual(Array.from({ length: 3_000 }, (_, n) => n));
  });

  it('returns every recorded field', async () => {
    const [resolved] = await collect(client.readStream(stream, { maxCount: 1 }));
    const event = resolved!.event!;
    expect(event.streamId).toBe(stream);
    expect(event.type).toBe('Numbered');
    expect(event.isJson).toBe(true);
    expect(event.data).toEqual({ n: 0 });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Math.abs(event.created.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    expect(event.position!.commit).toBeGreaterThanOrEqual(event.position!.prepare);
  });

  it('keeps binary data and custom metadata intact', async () => {
    const binary = uniqueStream('read-binary');
    const data = Uint8Array.from([0, 1, 2, 250, 255]);
    await client.appendToStream(binary, { id: crypto.randomUUID(), type: 'Blob', contentType: 'application/octet-stream', data, metadata: { traceId: 't-1' } });
    const [resolved] = await collect(client.readStream(binary));
    expect(resolved!.event!.isJson).toBe(false);
    expect(Uint8Array.from(resolved!.event!.data as Uint8Array)).toEqual(data);
    expect(resolved!.event!.metadata).toEqual({ traceId: 't-1' });
  });

  it('fails with StreamNotFoundError for a stream that does not exist', async () => {
    const missing = uniqueStream('read-missing');
    const error = await collect(client.readStream(missing)).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(missing);
  });
});

describe('readAll', () => {
  const stream = uniqueStream('read-all');
  let positions: Position[] = [];
  beforeAll(async () => {
    await client.appendToStream(stream, numbered(5), { expectedRevision: 'no_stream' });
    const events = await collect(client.readStream(stream));
    positions = events.map((resolved) => resolved.event!.position!);
  });

  it('reads forwards from a position, including it', async () => {
    const events = await collect(client.readAll({ direction: FORWARDS, fromPosition: positions[1]!, maxCount: 3 }));
    expect(events).toHaveLength(3);
    expect(numbersIn(stream, events)).toEqual([1, 2, 3]);
    expect(events[0]!.event!.position).toEqual(positions[1]);
  });

  it('reads backwards from a position, starting before it', async () => {
    const events = await collect(client.readAll({ direction: BACKWARDS, fromPosition: positions[3]!, maxCount: 3 }));
    expect(numbersIn(stream, events)).toEqual([2, 1, 0]);
  });

  it('reads backwards from the end, newest first', async () => {
    const events = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 5000 }));
    const commits = events.map((resolved) => resolved.event!.position.commit);
    expect(commits).toEqual([...commits].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(numbersIn(stream, events)).toEqual([4, 3, 2, 1, 0]);
  });

  it('reads forwards from the start in log order, up to maxCount', async () => {
    const events = await collect(client.readAll({ direction: FORWARDS, fromPosition: START, maxCount: 3 }));
    expect(events).toHaveLength(3);
    const commits = events.map((resolved) => resolved.event!.position.commit);
    expect(commits).toEqual([...commits].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('reads nothing forwards from the end', async () => {
    expect(await collect(client.readAll({ direction: FORWARDS, fromPosition: END, maxCount: 10 }))).toEqual([]);
  });

  it('sees a stream that has just been written at the end of $all', async () => {
    const last = uniqueStream('read-all-last');
    const appended = await client.appendToStream(last, numbered(1));
    const [newest] = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    expect(newest!.event!.position.commit).toBeGreaterThanOrEqual(appended.position!.commit);
  });
});
