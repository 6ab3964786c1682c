import { HandlerFailedError, rejectionEvents, rejectionStreamName, type EventStore } from '@spillway/event-streams';
import { profileStreamName } from '@spillway/pipeline-events';
import { emptyProfileChange } from '@spillway/profile-state';
import { ingestEvents, ingestStreamName } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendIngest, captureLogger, connectForTest, readProfileChanges, startTestProjector, uniqueTag, type LogEntry } from '../testing/fixtures.ts';
import { ingestInputEvents } from './ingest-events.ts';
import { ProfileWriteConflictError } from './project-ingest-event.ts';
import { profileEvents } from './profile-stream.ts';
import type { ProjectorOptions } from './projector.ts';

describe('the profile projector', () => {
  let store: EventStore;
  let entries: LogEntry[];
  beforeAll(async () => {
    const captured = captureLogger();
    entries = captured.entries;
    store = await connectForTest(captured.logger);
  });
  afterAll(() => store.close());

  const project = async (tag: string, overrides: Partial<ProjectorOptions> = {}) => {
    const projector = startTestProjector(store, tag, overrides);
    await projector.caughtUp;
    await projector.stop();
    return projector;
  };

  it('publishes one ProfileChanged per ingest event that changed something, with the state, the change, the source and when it was ingested', async () => {
    const tag = uniqueTag('sequence');
    const [ada, bob] = [`${tag}ada`, `${tag}bob`];
    await appendIngest(store, [
      ingestEvents.attributesWritten(ada, { person: { name: { firstName: 'Ada', lastName: 'L' } } }, '2026-02-01T10:00:00Z'),
      ingestEvents.membershipChanged(bob, 'aud-1', 'exited', '2026-02-01T09:00:00Z'),
      ingestEvents.identitiesLinked(ada, { email: [{ id: 'ada@example.com' }] }),
      ingestEvents.identitiesLinked(ada, { email: [{ id: 'ada@example.com' }] }),
      ingestEvents.membershipChanged(ada, 'aud-1', 'realized', '2026-02-01T10:00:00.500+00:00'),
      ingestEvents.attributesWritten(ada, { person: { name: { firstName: null } } }, '2026-02-01T11:00:00Z'),
    ]);
    const projector = await project(tag);

    const ingested = await store.readStreamEvents(ingestStreamName(ada), ingestInputEvents);
    const adaChanges = await readProfileChanges(store, ada);
    const name = { firstName: 'Ada', lastName: 'L' };
    const email = { email: [{ id: 'ada@example.com' }] };
    const realized = { ups: { 'aud-1': { status: 'realized', lastQualificationTime: '2026-02-01T10:00:00Z' } } };
    expect(adaChanges.map((published) => [published.revision, published.data.state, published.data.change])).toEqual([
      [0n, { profileId: ada, attributes: { person: { name } }, identityMap: {}, segmentMembership: { ups: {} } }, { ...emptyProfileChange(ada), attributesWritten: ['person.name.firstName', 'person.name.lastName'] }],
      [1n, { profileId: ada, attributes: { person: { name } }, identityMap: email, segmentMembership: { ups: {} } }, { ...emptyProfileChange(ada), identitiesAdded: [{ namespace: 'email', id: 'ada@example.com' }] }],
      [
        2n,
        { profileId: ada, attributes: { person: { name } }, identityMap: email, segmentMembership: realized },
        { ...emptyProfileChange(ada), membershipsChanged: [{ audienceId: 'aud-1', previousStatus: null, status: 'realized', lastQualificationTime: '2026-02-01T10:00:00Z' }] },
      ],
      [3n, { profileId: ada, attributes: { person: { name: { lastName: 'L' } } }, identityMap: email, segmentMembership: realized }, { ...emptyProfileChange(ada), attributesWritten: ['person.name.firstName'] }],
    ]);
    // The repeated link (ingest revision 2) changed nothing and published nothing.
    expect(adaChanges.map((published) => published.data.source.revision)).toEqual([0, 1, 3, 4]);
    for (const published of adaChanges) {
      const source = ingested[published.data.source.revision]!;
      expect(published.data.source).toEqual({ streamId: ingestStreamName(ada), revision: Number(source.revision), eventId: source.eventId, eventType: source.event.type });
      expect(published.data.ingestedAt).toBe(source.recordedAt.toISOString());
    }
    expect((await readProfileChanges(store, bob)).map((published) => published.data.change.membershipsChanged)).toEqual([
      [{ audienceId: 'aud-1', previousStatus: null, status: 'exited', lastQualificationTime: '2026-02-01T09:00:00Z' }],
    ]);
    expect(projector.counts()).toMatchObject({ projected: 5, unchanged: 1, alreadyApplied: 0 });
  });

  it('reports a malformed ingest event with its stream, event id and field, skips it, and projects the next ones', async () => {
    const tag = uniqueTag('malformed');
    const profileId = `${tag}p`;
    const stream = ingestStreamName(profileId);
    const consumer = `projector-${tag.slice(0, -1)}`;
    const bad = { json: '0a7c7a52-0000-4000-8000-000000000001', shape: '0a7c7a52-0000-4000-8000-000000000002', owner: '0a7c7a52-0000-4000-8000-000000000003' };
    await appendIngest(store, [ingestEvents.attributesWritten(profileId, { a: 1 }, '2026-02-01T10:00:00Z')]);
    await store.appendUncheckedEvents(stream, [
      { type: 'ProfileAttributesWritten', id: bad.json, data: new TextEncoder().encode('{"profileId": ') },
      { type: 'ProfileAttributesWritten', id: bad.shape, data: { profileId, attributes: { a: 2 } } },
      { type: 'ProfileAttributesWritten', id: bad.owner, data: { profileId: `${tag}other`, attributes: { a: 3 }, writtenAt: '2026-02-01T10:00:00Z' } },
    ]);
    await appendIngest(store, [ingestEvents.attributesWritten(profileId, { b: 4 }, '2026-02-01T10:00:00Z')]);
    const projector = await project(tag, { consumer });

    const published = await readProfileChanges(store, profileId);
    expect(published.map((change) => [change.data.source.revision, change.data.state.attributes])).toEqual([
      [0, { a: 1 }],
      [4, { a: 1, b: 4 }],
    ]);
    const reports = entries.filter((entry) => entry.message === 'event rejected' && entry['consumer'] === consumer);
    expect(reports.map((entry) => [entry['stream'], entry['eventId'], entry['reason'], entry['issues']])).toEqual([
      [stream, bad.json, 'malformed-json', undefined],
      [stream, bad.shape, 'schema-mismatch', [{ path: 'writtenAt', message: expect.any(String) }]],
      [stream, bad.owner, 'schema-mismatch', [{ path: 'profileId', message: `'${tag}other' does not match the stream's profile id '${profileId}'` }]],
    ]);
    const recorded = await store.readStreamEvents(rejectionStreamName(consumer), rejectionEvents);
    expect(recorded.map((event) => event.event.data.eventId)).toEqual([bad.json, bad.shape, bad.owner]);
    expect(projector.counts()).toMatchObject({ projected: 2, mismatched: 1 });
  });

  it('reads a profile again when its stream moved under a cached head, and stops when it moves again: a second writer', async () => {
    const tag = uniqueTag('conflict');
    const profileId = `${tag}p`;
    await appendIngest(store, [ingestEvents.attributesWritten(profileId, { a: 1 }, '2026-02-01T10:00:00Z')]);
    await project(tag);
    const [first] = await readProfileChanges(store, profileId);

    // Another writer appends to the profile stream behind the projector's cache once, then twice.
    let interferences = 1;
    const interfering: EventStore = {
      ...store,
      appendEvents: async (stream, catalog, events, options) => {
        if (stream === profileStreamName(profileId) && interferences-- > 0) {
          await store.appendEvents(stream, profileEvents, [{ type: 'ProfileChanged', data: { ...first!.data, source: { ...first!.data.source, revision: 0 } } }]);
        }
        return store.appendEvents(stream, catalog, events, options);
      },
    };
    await appendIngest(store, [ingestEvents.attributesWritten(profileId, { b: 2 }, '2026-02-01T10:00:00Z')]);
    const retried = await project(tag, { store: interfering, consumer: `projector-${tag}retry` });
    // Ingest 0 is read from the stream and found applied; ingest 1 meets the moved stream, which is read again.
    expect(retried.counts()).toMatchObject({ alreadyApplied: 1, projected: 1, cacheMisses: 1, streamReads: 2 });
    expect(entries.some((entry) => entry.message === 'profile stream moved under the projector, reading it again' && entry['profileId'] === profileId)).toBe(true);
    const afterRetry = await readProfileChanges(store, profileId);
    expect(afterRetry.map((change) => change.data.source.revision)).toEqual([0, 0, 1]);
    expect(afterRetry[2]!.data.state.attributes).toEqual({ a: 1, b: 2 });

    interferences = 2;
    await appendIngest(store, [ingestEvents.attributesWritten(profileId, { c: 3 }, '2026-02-01T10:00:00Z')]);
    const failing = startTestProjector(store, tag, { store: interfering, cacheSize: 10, maxInFlight: 4, consumer: `projector-${tag}fail` });
    const failure = await failing.done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HandlerFailedError);
    expect((failure as Error).cause).toBeInstanceOf(ProfileWriteConflictError);
    expect((failure as Error).cause).toMatchObject({ profileId, sourceStream: ingestStreamName(profileId) });
  });
});
