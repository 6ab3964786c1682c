import { END, START, StreamDeletedError } from '@eventstore/db-client';
import type { StreamSubscription } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectToStore, numbered, numbersOf, uniqueStream } from './contract-helpers.ts';
import { probe } from './subscription-probe.ts';

const client = connectToStore();
const open: StreamSubscription[] = [];
const subscribe = (stream: string, fromRevision: typeof START | typeof END | bigint) => {
  const subscription = client.subscribeToStream(stream, { fromRevision });
  open.push(subscription);
  return subscription;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.unsubscribe()));
});

describe('subscribeToStream', () => {
  it('confirms, catches up from the start, reports caughtUp once, then delivers live events', async () => {
    const stream = uniqueStream('sub-stream');
    await client.appendToStream(stream, numbered(3));
    const seen = probe(subscribe(stream, START));

    await seen.waitForCaughtUp();
    expect(seen.confirmed()).toBe(true);
    expect(numbersOf(seen.events)).toEqual([0, 1, 2]);
    expect(seen.caughtUpAfter).toEqual([3]);

    await client.appendToStream(stream, numbered(2, 'Numbered', 3));
    await seen.waitForEvents(5);
    expect(numbersOf(seen.events)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.caughtUpAfter).toEqual([3]);
  });

  it('starts after the given revision', async () => {
    const stream = uniqueStream('sub-stream-revision');
    await client.appendToStream(stream, numbered(5));
    const seen = probe(subscribe(stream, 2n));

    await seen.waitForCaughtUp();
    expect(numbersOf(seen.events)).toEqual([3, 4]);
  });

  it('from the end, delivers only events appended afterwards', async () => {
    const stream = uniqueStream('sub-stream-end');
    await client.appendToStream(stream, numbered(3));
    const seen = probe(subscribe(stream, END));
    await seen.waitForCaughtUp();

    await client.appendToStream(stream, numbered(1, 'Numbered', 3));
    await seen.waitForEvents(1);
    expect(numbersOf(seen.events)).toEqual([3]);
  });

  it('waits for a stream that does not exist yet', async () => {
    const stream = uniqueStream('sub-stream-later');
    const seen = probe(subscribe(stream, START));
    await seen.waitForCaughtUp();
    expect(seen.events).toEqual([]);

    await client.appendToStream(stream, numbered(2));
    await seen.waitForEvents(2);
    expect(numbersOf(seen.events)).toEqual([0, 1]);
  });

  it('keeps up with a burst of live events, in order', async () => {
    const stream = uniqueStream('sub-stream-burst');
    const seen = probe(subscribe(stream, START));
    await seen.waitForCaughtUp();

    await Promise.all(Array.from({ length: 20 }, (_, batch) => client.appendToStream(stream, numbered(50, 'Numbered', batch * 50))));
    await seen.waitForEvents(1000);
    expect(seen.events.map((resolved) => resolved.event?.revision)).toEqual(Array.from({ length: 1000 }, (_, n) => BigInt(n)));
  });

  it('fails with StreamDeletedError on a tombstoned stream', async () => {
    const stream = uniqueStream('sub-stream-tombstoned');
    await client.appendToStream(stream, numbered(1));
    await client.tombstoneStream(stream);

    const error = await probe(subscribe(stream, START)).waitForError();
    expect(error).toBeInstanceOf(StreamDeletedError);
  });
});
