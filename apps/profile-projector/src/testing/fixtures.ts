import { randomUUID } from 'node:crypto';
import { connectEventStore, createStreamCheckpointStore, type CheckpointStore, type EventStore } from '@spillway/event-streams';
import { profileStreamName, type ProfileChanged } from '@spillway/pipeline-events';
import { createLogger, type Logger } from '@spillway/runtime';
import { ingestEvents, ingestStreamName, type IngestEvent } from '@spillway/xdm';
import { inject } from 'vitest';
import { ingestInputEvents } from '../projection/ingest-events.ts';
import { profileEvents } from '../projection/profile-stream.ts';
import { runProjector, type Projector, type ProjectorOptions } from '../projection/projector.ts';

export type LogEntry = { readonly level: string; readonly message: string } & Readonly<Record<string, unknown>>;

export function captureLogger(): { readonly logger: Logger; readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = createLogger({ service: 'test', level: 'debug', write: (line) => entries.push(JSON.parse(line) as LogEntry) });
  return { logger, entries };
}

export const connectForTest = (logger: Logger): Promise<EventStore> =>
  connectEventStore(inject('eventstoreConnectionString'), { logger, connectTimeoutMs: 10_000 });

/** A profile id prefix no other test (or earlier run against the same store) uses. */
export const uniqueTag = (label: string) => `${label}${randomUUID().slice(0, 8)}-`;

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Appends each event to its profile's ingest stream, in order per profile (profiles side by side). */
export async function appendIngest(store: EventStore, events: readonly IngestEvent[]): Promise<void> {
  const byProfile = Map.groupBy(events, (event) => event.data.profileId);
  await Promise.all(
    [...byProfile].map(async ([profileId, ofProfile]) => {
      for (const event of ofProfile) await store.appendEvents(ingestStreamName(profileId), ingestInputEvents, [event]);
    }),
  );
}

export interface PublishedChange {
  readonly revision: bigint;
  readonly eventId: string;
  readonly data: ProfileChanged;
}

export async function readProfileChanges(store: EventStore, profileId: string): Promise<PublishedChange[]> {
  const stored = await store.readStreamEvents(profileStreamName(profileId), profileEvents);
  return stored.map((event) => ({ revision: event.revision, eventId: event.eventId, data: event.event.data }));
}

/**
 * A mixed history per profile, round robin across profiles: attribute writes (a repeated value,
 * a null removal), identity links (one repeated: no change), an unlink of an id never linked
 * (no change), and audience entries and exits.
 */
export function sampleWorkload(tag: string, profiles: number, rounds: number): IngestEvent[] {
  const events: IngestEvent[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < profiles; index++) {
      const profileId = `${tag}p${index}`;
      const at = `2026-02-0${1 + (round % 9)}T10:00:00Z`;
      const kinds: (() => IngestEvent)[] = [
        () => ingestEvents.attributesWritten(profileId, { person: { name: { firstName: `Name${index}` } }, loyalty: { points: round } }, at),
        () => ingestEvents.identitiesLinked(profileId, { email: [{ id: `${index}@example.com` }] }),
        () => ingestEvents.membershipChanged(profileId, 'aud-1', 'realized', at),
        () => ingestEvents.attributesWritten(profileId, { loyalty: { points: null } }, at),
        () => ingestEvents.identitiesUnlinked(profileId, { phone: [{ id: '555' }] }),
        () => ingestEvents.membershipChanged(profileId, 'aud-1', 'exited', at),
      ];
      events.push(kinds[round % kinds.length]!());
    }
  }
  return events;
}

/** Everything the projector published for these profiles, without what differs from run to run (tag, ids, times). */
export async function publishedOutput(store: EventStore, tag: string, profiles: number): Promise<unknown> {
  const output: Record<string, unknown> = {};
  for (let index = 0; index < profiles; index++) {
    const changes = await readProfileChanges(store, `${tag}p${index}`);
    output[`p${index}`] = changes.map(({ revision, data }) => ({
      revision: Number(revision),
      state: data.state,
      change: data.change,
      source: { streamId: data.source.streamId, revision: data.source.revision, eventType: data.source.eventType },
    }));
  }
  return JSON.parse(JSON.stringify(output).replaceAll(tag, 'TAG'));
}

/** A checkpoint store whose saves stop reaching the store once `crash()` is called, as if the process had died there. */
export function crashableCheckpoints(store: EventStore): { readonly checkpoints: CheckpointStore; crash(): void } {
  const real = createStreamCheckpointStore(store);
  let crashed = false;
  return {
    checkpoints: { load: (name) => real.load(name), save: async (name, at) => void (crashed || (await real.save(name, at))) },
    crash: () => void (crashed = true),
  };
}

/** A projector of the profiles tagged `tag` only (its own consumer name), at the tests' small bounds. */
export function startTestProjector(store: EventStore, tag: string, overrides: Partial<ProjectorOptions> = {}): Projector {
  return runProjector({
    store,
    logger: store.logger,
    partition: { index: 0, count: 1 },
    cacheSize: 1000,
    maxInFlight: 16,
    consumer: `projector-${tag.slice(0, -1)}`,
    profileIdPrefix: tag,
    ...overrides,
  });
}
