import { END, eventTypeFilter, START, streamNameFilter } from '@eventstore/db-client';
import type { AllStreamSubscription, Filter, Position, ResolvedEvent, SubscribeToAllOptions } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectToStore, eventually, numbered, numbersOf, uniqueStream } from './contract-helpers.ts';
import { probe } from './subscription-probe.ts';

const client = connectToStore();
const open: AllStreamSubscription[] = [];
const subscribe = (options: SubscribeToAllOptions) => {
  const subscription = client.subscribeToAll(options);
  open.push(subscription);
  return subscription;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.unsubscribe()));
});

const streamsOf = (events: readonly ResolvedEvent[]) => events.map((resolved) => resolved.event?.streamId);
const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** A position in $all just before the test's own events: the last event of a fresh marker stream. */
async function markPosition(): Promise<Position> {
  const result = await client.appendToStream(uniqueStream('sub-all-marker'), numbered(1));
  return result.position!;
}

describe('subscribeToAll', () => {
  it('starts after the given position and filters by stream-name prefix', async () => {
    const prefix = uniqueStream('suball');
    const from = await markPosition();
    await client.appendToStream(`${prefix}-a`, numbered(2));
    await client.appendToStream(uniqueStream('other'), numbered(2));
    await client.appendToStream(`${prefix}-b`, numbered(1, 'Numbered', 2));

    const seen = probe(subscribe({ fromPosition: from, filter: streamNameFilter({ prefixes: [prefix] }) }));
    await seen.waitForEvents(3);
    expect(streamsOf(seen.events)).toEqual([`${prefix}-a`, `${prefix}-a`, `${prefix}-b`]);
    expect(numbersOf(seen.events)).toEqual([0, 1, 2]);
  });

  it('excludes the starting position itself', async () => {
    const stream = uniqueStream('suball-exclusive');
    const appended = await client.appendToStream(stream, numbered(3));
    const [, second] = await collectStream(stream);
    const seen = probe(subscribe({ fromPosition: second!.event!.position!, filter: streamNameFilter({ prefixes: [stream] }) }));

    await seen.waitForEvents(1);
    await seen.waitForCaughtUp();
    expect(numbersOf(seen.events)).toEqual([2]);
    expect(seen.events[0]!.event!.position).toEqual(appended.position);
  });

  it('filters by stream-name regex', async () => {
    const prefix = uniqueStream('subregex');
    const from = await markPosition();
    await client.appendToStream(`${prefix}-keep-1`, numbered(1));
    await client.appendToStream(`${prefix}-drop-1`, numbered(1));
    await client.appendToStream(`${prefix}-keep-2`, numbered(1));

    const seen = probe(subscribe({ fromPosition: from, filter: streamNameFilter({ regex: `^${prefix}-keep-\\d+$` }) }));
    await seen.waitForEvents(2);
    await seen.waitForCaughtUp();
    expect(streamsOf(seen.events)).toEqual([`${prefix}-keep-1`, `${prefix}-keep-2`]);
  });

  it('filters by event-type prefix and by event-type regex', async () => {
    const type = `T${uniqueStream('type')}`;
    const from = await markPosition();
    const stream = uniqueStream('suball-types');
    await client.appendToStream(stream, [...numbered(1, `${type}Created`), ...numbered(1, 'Unrelated', 1), ...numbered(1, `${type}Deleted`, 2)]);

    const byPrefix = probe(subscribe({ fromPosition: from, filter: eventTypeFilter({ prefixes: [type] }) }));
    const byRegex = probe(subscribe({ fromPosition: from, filter: eventTypeFilter({ regex: `^${type}(Created|Updated)$` }) }));
    await byPrefix.waitForEvents(2);
    await byRegex.waitForCaughtUp();
    expect(byPrefix.events.map((resolved) => resolved.event?.type)).toEqual([`${type}Created`, `${type}Deleted`]);
    expect(byRegex.events.map((resolved) => resolved.event?.type)).toEqual([`${type}Created`]);
  });

  it('reports checkpoints every search window of scanned events, resumable from the checkpoint', async () => {
    const wanted = uniqueStream('suball-checkpointed');
    const from = await markPosition();
    await client.appendToStream(uniqueStream('suball-noise'), numbered(100));
    const target = await client.appendToStream(wanted, numbered(1));

    const checkpoints: Position[] = [];
    const checkpointReached = (_subscription: unknown, position: Position) => void checkpoints.push(position);
    const filter: Filter = streamNameFilter({ prefixes: [wanted], maxSearchWindow: 10, checkpointInterval: 2, checkpointReached });
    const seen = probe(subscribe({ fromPosition: from, filter }));
    await seen.waitForEvents(1);
    await seen.waitForCaughtUp();

    // 101+ scanned events with a window of 10 x 2: at least 5 checkpoints before the wanted event.
    const beforeTarget = checkpoints.filter((checkpoint) => checkpoint.commit < target.position!.commit);
    expect(beforeTarget.length).toBeGreaterThanOrEqual(5);
    const commits = checkpoints.map((checkpoint) => checkpoint.commit);
    expect(commits).toEqual([...commits].sort(compare));
    expect(commits[0]).toBeGreaterThan(from.commit);

    const resumed = probe(subscribe({ fromPosition: beforeTarget.at(-1)!, filter: streamNameFilter({ prefixes: [wanted] }) }));
    await resumed.waitForEvents(1);
    await resumed.waitForCaughtUp();
    expect(streamsOf(resumed.events)).toEqual([wanted]);
  });

  it('uses the default window of 32 when no search window is given', async () => {
    const wanted = uniqueStream('suball-default-window');
    const from = await markPosition();
    await client.appendToStream(uniqueStream('suball-noise'), numbered(70));
    const checkpoints: Position[] = [];
    const filter = streamNameFilter({ prefixes: [wanted], checkpointReached: (_s: unknown, position: Position) => void checkpoints.push(position) });
    const seen = probe(subscribe({ fromPosition: from, filter }));
    await seen.waitForCaughtUp();
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
  });

  it('live, reports a checkpoint at the last scanned event once no commit came for a moment, though far from a whole window (not in EventStoreDB)', async () => {
    const wanted = uniqueStream('suball-idle');
    const checkpoints: Position[] = [];
    const filter = streamNameFilter({ prefixes: [wanted], checkpointInterval: 32, checkpointReached: (_s: unknown, position: Position) => void checkpoints.push(position) });
    const seen = probe(subscribe({ fromPosition: END, filter }));
    await seen.waitForCaughtUp();
    const noise = await client.appendToStream(uniqueStream('suball-noise'), numbered(5));
    await eventually(() => checkpoints.at(-1)?.commit === noise.position!.commit);
    expect(seen.events).toEqual([]);
  });

  it('delivers live events after catching up, caughtUp only once', async () => {
    const prefix = uniqueStream('suball-live');
    const seen = probe(subscribe({ fromPosition: END, filter: streamNameFilter({ prefixes: [prefix] }) }));
    await seen.waitForCaughtUp();
    expect(seen.events).toEqual([]);

    await client.appendToStream(`${prefix}-1`, numbered(2));
    await client.appendToStream(`${prefix}-2`, numbered(1, 'Numbered', 2));
    await seen.waitForEvents(3);
    expect(numbersOf(seen.events)).toEqual([0, 1, 2]);
    expect(seen.caughtUpAfter).toEqual([0]);
  });

  it('without a filter, delivers every event in log order', async () => {
    const from = await markPosition();
    const stream = uniqueStream('suball-unfiltered');
    await client.appendToStream(stream, numbered(3));
    const seen = probe(subscribe({ fromPosition: from }));

    await eventually(() => seen.events.filter((resolved) => resolved.event?.streamId === stream).length === 3);
    const commits = seen.events.map((resolved) => resolved.event!.position!.commit);
    expect(commits).toEqual([...commits].sort(compare));
    expect(commits[0]).toBeGreaterThan(from.commit);
  });

  it('from the start, eventually reaches events just written', async () => {
    const stream = uniqueStream('suball-start');
    await client.appendToStream(stream, numbered(1));
    const seen = probe(subscribe({ fromPosition: START, filter: streamNameFilter({ prefixes: [stream] }) }));
    await seen.waitForEvents(1);
    expect(streamsOf(seen.events)).toEqual([stream]);
  });
});

async function collectStream(stream: string): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  for await (const resolved of client.readStream(stream)) events.push(resolved);
  return events;
}
