import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, FORWARDS, jsonEvent, START, StreamNotFoundError } from '@eventstore/db-client';
import type { AppendResult, ResolvedEvent } from '@eventstore/db-client';
import { startStoreProcess } from '@spillway/testing';
import type { StoreProcess } from '@spillway/testing';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The durability promise, proven from the outside: through the real client, against a real store
 * process on the LMDB engine, killed with SIGKILL mid-load and restarted on the same data.
 */

interface Attempt {
  readonly stream: string;
  readonly ids: readonly string[];
}

interface Acknowledged extends Attempt {
  readonly lastRevision: bigint;
  readonly commitPosition: bigint;
}

const writers = 32;
const rounds = 3;

const started: StoreProcess[] = [];
afterAll(async () => {
  for (const store of started) await store.kill();
  await started[0]?.removeData();
});

async function readStreamOrNothing(client: EventStoreDBClient, stream: string): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  try {
    for await (const resolved of client.readStream(stream)) events.push(resolved);
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}

/** Runs `writers` concurrent writers, each appending 1-3 events at a time to its own stream, until the store dies. */
function loadUntilKilled(client: EventStoreDBClient, round: number, acknowledged: Acknowledged[], unacknowledged: Attempt[]) {
  let stopped = false;
  const writer = async (index: number) => {
    const stream = `durability-${round}-${index}-${randomUUID().slice(0, 8)}`;
    let expected: bigint | 'no_stream' = 'no_stream';
    while (!stopped) {
      const ids = Array.from({ length: 1 + ((index + acknowledged.length) % 3) }, () => randomUUID());
      const events = ids.map((id, n) => jsonEvent({ id, type: 'Durable', data: { round, writer: index, n } }));
      try {
        const result: AppendResult = await client.appendToStream(stream, events, { expectedRevision: expected });
        acknowledged.push({ stream, ids, lastRevision: result.nextExpectedRevision, commitPosition: result.position!.commit });
        expected = result.nextExpectedRevision;
      } catch {
        unacknowledged.push({ stream, ids });
        stopped = true;
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, (_, index) => writer(index)));
  return { done, stop: () => (stopped = true) };
}

async function verify(client: EventStoreDBClient, acknowledged: readonly Acknowledged[], unacknowledged: readonly Attempt[]) {
  const streams = new Map<string, ResolvedEvent[]>();
  for (const stream of new Set([...acknowledged, ...unacknowledged].map((attempt) => attempt.stream))) {
    streams.set(stream, await readStreamOrNothing(client, stream));
  }
  const located = new Map<string, ResolvedEvent>();
  for (const events of streams.values()) {
    // Revisions are gap-free and ids unique: nothing half-written or duplicated.
    expect(events.map((resolved) => resolved.event!.revision)).toEqual(events.map((_, n) => BigInt(n)));
    for (const resolved of events) located.set(resolved.event!.id, resolved);
  }
  for (const ack of acknowledged) {
    const events = ack.ids.map((id) => located.get(id));
    expect(events.every((resolved) => resolved !== undefined), `acknowledged append to ${ack.stream} is missing`).toBe(true);
    const last = events.at(-1)!.event!;
    expect(last.revision).toBe(ack.lastRevision);
    expect(last.position!.commit).toBe(ack.commitPosition);
    expect(events.map((resolved) => resolved!.event!.revision)).toEqual(ack.ids.map((_, n) => ack.lastRevision - BigInt(ack.ids.length - 1 - n)));
  }
  for (const attempt of unacknowledged) {
    const present = attempt.ids.filter((id) => located.has(id)).length;
    expect([0, attempt.ids.length], `unacknowledged append to ${attempt.stream} is partly there`).toContain(present);
  }
  const allowed = new Set([...acknowledged, ...unacknowledged].flatMap((attempt) => attempt.ids));
  expect([...located.keys()].every((id) => allowed.has(id))).toBe(true);
}

/** $all keeps log order: positions strictly increase, and each stream's revisions appear in order. */
async function verifyLogOrder(client: EventStoreDBClient) {
  let previous = -1n;
  const lastRevision = new Map<string, bigint>();
  for await (const resolved of client.readAll({ direction: FORWARDS, fromPosition: START })) {
    const event = resolved.event!;
    expect(event.position!.commit).toBeGreaterThan(previous);
    previous = event.position!.commit;
    if (event.streamId.startsWith('durability-')) {
      expect(event.revision).toBe((lastRevision.get(event.streamId) ?? -1n) + 1n);
      lastRevision.set(event.streamId, event.revision);
    }
  }
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('event-store process durability', () => {
  it(
    `keeps every acknowledged append, whole and in order, across ${rounds} kill -9 mid-load`,
    async () => {
      let store = await startStoreProcess();
      started.push(store);
      const acknowledged: Acknowledged[] = [];
      const unacknowledged: Attempt[] = [];

      for (let round = 0; round < rounds; round++) {
        const client = EventStoreDBClient.connectionString(store.connectionString);
        const load = loadUntilKilled(client, round, acknowledged, unacknowledged);
        const ackedBefore = acknowledged.length;
        await until(() => acknowledged.length >= ackedBefore + 200);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
        await store.kill();
        load.stop();
        await load.done;
        await client.dispose();

        store = await store.restart();
        started.push(store);
        const reader = EventStoreDBClient.connectionString(store.connectionString);
        await verify(reader, acknowledged, unacknowledged);
        await verifyLogOrder(reader);
        await reader.dispose();
      }
      expect(acknowledged.length).toBeGreaterThan(rounds * 200);
      expect(unacknowledged.length).toBeGreaterThan(0);
      await store.stop();
    },
    60_000,
  );

  it('exits 0 on SIGTERM and serves the same data after a restart', async () => {
    const store = await startStoreProcess();
    started.push(store);
    const client = EventStoreDBClient.connectionString(store.connectionString);
    const stream = `sigterm-${randomUUID()}`;
    const appended = await client.appendToStream(stream, [jsonEvent({ type: 'Kept', data: { n: 1 } }), jsonEvent({ type: 'Kept', data: { n: 2 } })]);
    await client.dispose();

    expect(await store.stop()).toBe(0);
    expect(store.logs().some((line) => line.includes('"message":"stopped"'))).toBe(true);

    const restarted = await store.restart();
    started.push(restarted);
    const reader = EventStoreDBClient.connectionString(restarted.connectionString);
    const events = await readStreamOrNothing(reader, stream);
    expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(events.at(-1)!.event!.position).toEqual(appended.position);
    await reader.dispose();
    expect(await restarted.stop()).toBe(0);
    await store.removeData();
  });
});
