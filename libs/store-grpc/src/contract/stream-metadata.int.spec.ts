import { BACKWARDS, END, FORWARDS, START } from '@eventstore/db-client';
import type { StreamSubscription } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, connectToStore, numbered, numbersIn, numbersOf, uniqueStream } from './contract-helpers.ts';
import { probe } from './subscription-probe.ts';

const client = connectToStore();
const open: StreamSubscription[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.unsubscribe()));
});

/** A stream of 10 events appended one by one, as checkpoints are, after its metadata. */
async function streamWith(metadata: Parameters<typeof client.setStreamMetadata>[1]): Promise<string> {
  const stream = uniqueStream('metadata');
  await client.setStreamMetadata(stream, metadata);
  for (let n = 0; n < 10; n++) await client.appendToStream(stream, numbered(1, 'Numbered', n));
  return stream;
}

const revisionsOf = (events: readonly { event?: { revision: bigint } | undefined }[]) => events.map((resolved) => resolved.event?.revision);

describe('stream metadata', () => {
  it('maxCount: a stream reads as its newest events, with their revisions, forwards and backwards', async () => {
    const stream = await streamWith({ maxCount: 3 });
    const forwards = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: START }));
    expect(numbersOf(forwards)).toEqual([7, 8, 9]);
    expect(revisionsOf(forwards)).toEqual([7n, 8n, 9n]);
    const backwards = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END }));
    expect(revisionsOf(backwards)).toEqual([9n, 8n, 7n]);
    expect(revisionsOf(await collect(client.readStream(stream, { fromRevision: 2n, maxCount: 2 })))).toEqual([7n, 8n]);
    expect((await client.getStreamMetadata(stream)).metadata).toMatchObject({ maxCount: 3 });
  });

  it('truncateBefore hides the revisions below it', async () => {
    const stream = await streamWith({ truncateBefore: 6 });
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([6, 7, 8, 9]);
    expect(numbersOf(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END })))).toEqual([9, 8, 7, 6]);
  });

  it('follows metadata changed later, for reads and for new appends', async () => {
    const stream = await streamWith({ maxCount: 5 });
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([5, 6, 7, 8, 9]);
    await client.setStreamMetadata(stream, { maxCount: 2 });
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([8, 9]);
    await client.appendToStream(stream, numbered(1, 'Numbered', 10));
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([9, 10]);
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ maxCount: 2 });
  });

  it('maxAge: the events older than it no longer read, forwards, backwards or in a subscription; the stream keeps its revision', async () => {
    const stream = uniqueStream('metadata-age');
    await client.setStreamMetadata(stream, { maxAge: 1 });
    await client.appendToStream(stream, numbered(2));
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([0, 1]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await client.appendToStream(stream, numbered(1, 'Numbered', 2));
    expect(numbersOf(await collect(client.readStream(stream)))).toEqual([2]);
    expect(revisionsOf(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END })))).toEqual([2n]);
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    open.push(subscription);
    const seen = probe(subscription);
    await seen.waitForCaughtUp();
    expect(numbersOf(seen.events)).toEqual([2]);
    expect((await client.appendToStream(stream, numbered(1, 'Numbered', 3))).nextExpectedRevision).toBe(3n);
  });

  it('a stream subscription from the start catches up from the oldest visible event', async () => {
    const stream = await streamWith({ maxCount: 3 });
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    open.push(subscription);
    const seen = probe(subscription);
    await seen.waitForCaughtUp();
    expect(numbersOf(seen.events)).toEqual([7, 8, 9]);
  });

  it('an $all subscription resumes from the position of an event maxCount has pushed out', async () => {
    const stream = uniqueStream('metadata-all');
    await client.setStreamMetadata(stream, { maxCount: 2 });
    const first = await client.appendToStream(stream, numbered(1));
    for (let n = 1; n < 6; n++) await client.appendToStream(stream, numbered(1, 'Numbered', n));
    const subscription = client.subscribeToAll({ fromPosition: first.position! });
    open.push(subscription);
    const seen = probe(subscription);
    await seen.waitForCaughtUp();
    // a real server shows the pushed-out events in $all until a scavenge; this store removes them at once
    const numbers = numbersIn(stream, seen.events);
    expect(numbers.slice(-2)).toEqual([4, 5]);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers).not.toContain(0);
  });
});
