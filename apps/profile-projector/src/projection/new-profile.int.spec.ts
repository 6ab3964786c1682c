import { randomUUID } from 'node:crypto';
import type { EventStore } from '@spillway/event-streams';
import { profileStreamName, type ProfileChanged } from '@spillway/pipeline-events';
import { emptyProfileChange } from '@spillway/profile-state';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendIngest, captureLogger, connectForTest, readProfileChanges, startTestProjector, uniqueTag, waitFor, type LogEntry } from '../testing/fixtures.ts';
import { profileEvents } from './profile-stream.ts';
import type { Projector } from './projector.ts';

/** Ingest events written after the projector started: the first of each profile is taken as a new profile, unread. */
describe('profiles first seen after the projector started', () => {
  let store: EventStore;
  let entries: LogEntry[];
  beforeAll(async () => {
    const captured = captureLogger();
    entries = captured.entries;
    store = await connectForTest(captured.logger);
  });
  afterAll(() => store.close());

  const started = async (tag: string): Promise<Projector> => {
    const projector = startTestProjector(store, tag);
    await projector.caughtUp;
    return projector;
  };

  it('projects a new profile without reading its missing stream, and reads it when its first event changed nothing', async () => {
    const tag = uniqueTag('fresh');
    const projector = await started(tag);
    const [ada, bob] = [`${tag}ada`, `${tag}bob`];
    await appendIngest(store, [
      ingestEvents.attributesWritten(ada, { a: 1 }, '2026-02-01T10:00:00Z'),
      ingestEvents.attributesWritten(ada, { b: 2 }, '2026-02-01T10:00:00Z'),
      ingestEvents.identitiesUnlinked(bob, { phone: [{ id: '555' }] }),
      ingestEvents.attributesWritten(bob, { c: 3 }, '2026-02-01T10:00:00Z'),
    ]);
    await waitFor(() => projector.counts().projected + projector.counts().unchanged === 4, 'the four ingest events');
    await projector.stop();

    expect(projector.counts()).toMatchObject({ projected: 3, unchanged: 1, alreadyApplied: 0, cacheMisses: 3, cacheHits: 1, streamReads: 1 });
    expect((await readProfileChanges(store, ada)).map((change) => [change.revision, change.data.state.attributes])).toEqual([
      [0n, { a: 1 }],
      [1n, { a: 1, b: 2 }],
    ]);
    expect((await readProfileChanges(store, bob)).map((change) => [change.revision, change.data.source.revision, change.data.state.attributes])).toEqual([[0n, 1, { c: 3 }]]);
  });

  it('reads a profile whose stream something else wrote before its first ingest event, without taking it for a second writer', async () => {
    const tag = uniqueTag('imported');
    const profileId = `${tag}p`;
    // An imported profile: written straight to its stream, as from ingest revision 0 of another source.
    const imported: ProfileChanged = {
      profileId,
      state: { profileId, attributes: { a: 1 }, identityMap: {}, segmentMembership: { ups: {} } },
      change: { ...emptyProfileChange(profileId), attributesWritten: ['a'] },
      source: { streamId: `import-${profileId}`, revision: 0, eventId: randomUUID(), eventType: 'ProfileAttributesWritten' },
      ingestedAt: '2026-01-01T00:00:00.000Z',
    };
    await store.appendEvents(profileStreamName(profileId), profileEvents, [{ type: 'ProfileChanged', data: imported }]);
    const projector = await started(tag);
    await appendIngest(store, [
      ingestEvents.attributesWritten(profileId, { b: 2 }, '2026-02-01T10:00:00Z'),
      ingestEvents.attributesWritten(profileId, { c: 3 }, '2026-02-01T10:00:00Z'),
    ]);
    await waitFor(() => projector.counts().projected + projector.counts().alreadyApplied === 2, 'the two ingest events');
    await projector.stop();

    // What reading the stream first always gave: ingest 0 counts as applied (the import's source
    // revision is 0), ingest 1 is folded onto the imported state.
    expect(projector.counts()).toMatchObject({ alreadyApplied: 1, projected: 1, streamReads: 1 });
    expect((await readProfileChanges(store, profileId)).map((change) => [change.revision, change.data.state.attributes])).toEqual([
      [0n, { a: 1 }],
      [1n, { a: 1, c: 3 }],
    ]);
    expect(entries.filter((entry) => entry['profileId'] === profileId && entry.level !== 'debug')).toEqual([]);
  });
});
