import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import type { AppendExpectedRevision, AppendResult, EventData, JSONEventType, ResolvedEvent } from '@eventstore/db-client';
import { afterAll, inject } from 'vitest';

/**
 * The contract suite talks to whatever store `eventstoreConnectionString` names (our embedded
 * store, or a real EventStoreDB node), only through the real client. Every test uses its own
 * stream names and never assumes $all is empty.
 */
export function connectToStore(): EventStoreDBClient {
  const client = EventStoreDBClient.connectionString(inject('eventstoreConnectionString'));
  afterAll(() => client.dispose());
  return client;
}

export function uniqueStream(prefix: string): string {
  return `${prefix}-${randomUUID().replaceAll('-', '')}`;
}

export type ContractEvent = JSONEventType<string, { n: number }>;

export function numbered(count: number, type = 'Numbered', from = 0): EventData<ContractEvent>[] {
  return Array.from({ length: count }, (_, index) => jsonEvent<ContractEvent>({ type, data: { n: from + index } }));
}

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

export function numbersOf(events: readonly ResolvedEvent[]): number[] {
  return events.map((resolved) => (resolved.event?.data as { n: number }).n);
}

export function numbersIn(streamName: string, events: readonly ResolvedEvent[]): number[] {
  return numbersOf(events.filter((resolved) => resolved.event?.streamId === streamName));
}

/** The two append paths the client can take: BatchAppend (advertised) and Append (forced by per-call credentials). */
export const appendPaths = [
  { name: 'BatchAppend', extra: {} },
  { name: 'Append', extra: { credentials: { username: 'admin', password: 'changeit' } } },
] as const;

export type AppendPath = (typeof appendPaths)[number];

export function appendVia(
  client: EventStoreDBClient,
  path: AppendPath,
  streamName: string,
  events: EventData | EventData[],
  expectedRevision: AppendExpectedRevision = 'any',
): Promise<AppendResult> {
  return client.appendToStream(streamName, events, { expectedRevision, ...path.extra });
}

/** Resolves when `predicate` holds, checking on each event from the emitter; rejects after `ms`. */
export function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`condition not met within ${ms} ms`));
      setTimeout(tick, 10);
    };
    tick();
  });
}
