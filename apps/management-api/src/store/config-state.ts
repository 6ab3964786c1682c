import { WrongExpectedRevisionError, type EventStore } from '@spillway/event-streams';
import { audienceStreamName, dataflowStreamName, destinationStreamName, parseStreamName, type AudienceDefinition, type DataflowConfig, type DestinationConfig } from '@spillway/xdm';
import { ApiError } from '../http/api-errors.ts';
import { audienceEvents, dataflowEvents, destinationEvents } from './catalogs.ts';
import { readCurrent, readLatest, readLatestByStream } from '@spillway/event-streams';

/** A configuration as it stands: its data when configured, and the revision to write after. */
export interface Current<T> {
  readonly data: T | undefined;
  readonly expectedRevision: bigint | 'no_stream';
}

const inCategory = (category: string) => (streamId: string) => parseStreamName(streamId)?.category === category;

export async function currentDestination(store: EventStore, id: string): Promise<Current<DestinationConfig>> {
  const { latest, revision } = await readCurrent(store, destinationStreamName(id), destinationEvents);
  return { data: latest?.event.type === 'DestinationConfigured' ? latest.event.data : undefined, expectedRevision: revision };
}

export async function currentDataflow(store: EventStore, id: string): Promise<Current<DataflowConfig>> {
  const { latest, revision } = await readCurrent(store, dataflowStreamName(id), dataflowEvents);
  return { data: latest?.event.type === 'DataflowConfigured' ? latest.event.data : undefined, expectedRevision: revision };
}

export async function audienceDefinition(store: EventStore, id: string): Promise<AudienceDefinition | undefined> {
  return (await readLatest(store, audienceStreamName(id), audienceEvents))?.event.data;
}

export async function listDestinations(store: EventStore): Promise<DestinationConfig[]> {
  const latest = await readLatestByStream(store, destinationStreamName(''), destinationEvents, inCategory('destination'));
  return latest.flatMap((stored) => (stored.event.type === 'DestinationConfigured' ? [stored.event.data] : []));
}

export async function listDataflows(store: EventStore): Promise<DataflowConfig[]> {
  const latest = await readLatestByStream(store, dataflowStreamName(''), dataflowEvents, inCategory('dataflow'));
  return latest.flatMap((stored) => (stored.event.type === 'DataflowConfigured' ? [stored.event.data] : []));
}

export async function listAudiences(store: EventStore): Promise<AudienceDefinition[]> {
  const latest = await readLatestByStream(store, audienceStreamName(''), audienceEvents, inCategory('audience'));
  return latest.map((stored) => stored.event.data);
}

/** Another writer changed the stream between our read and our append. */
export async function guardConcurrentWrite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) {
      throw new ApiError(409, 'concurrent-change', 'the configuration was changed by someone else meanwhile; read it again and retry');
    }
    throw error;
  }
}

/** Same data whatever the key order. */
export function sameData(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
