import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions, createStreamCheckpointStore, defineEvents, deterministicEventId, partitionOf, type CheckpointStore, type EventStore } from '@spillway/event-streams';
import { internalEventSchemas, profileStreamName } from '@spillway/pipeline-events';
import { ingestEvents } from '@spillway/xdm';
import { configurationEvents } from '../configuration/configuration-events.ts';
import type { BackfillHookRequest } from '../backfill/backfill-hook.ts';
import { exportEvents } from '../decision/export-events.ts';
import { exportEventIdOf } from '../decision/export-id.ts';
import { appendConfig, appendProfileChanges, captureLogger, connectForTest, readExports, uniqueId, waitFor, type CapturedLogger } from '../test-setup/store-fixtures.ts';
import { audience, configured, dataflow, destination, profileChanges } from '../testing/fixtures.ts';
import { runDecider, type Decider, type DeciderOptions } from './run-decider.ts';

const decidedAt = '2024-05-01T10:00:05.000Z';
const ingestedAt = '2024-05-01T10:00:00.000Z';
const qualifiedAt = '2024-05-01T09:00:00Z';
const profileEvents = defineEvents({ ProfileChanged: internalEventSchemas.ProfileChanged });

describe('export decider against the real store', () => {
  let log: CapturedLogger;
  let store: EventStore;
  const running: Decider[] = [];
  beforeAll(async () => {
    log = captureLogger();
    store = await connectForTest(log.logger);
  });
  // Each test starts its own deciders from the start of the log; none may keep running into the next test.
  afterEach(async () => {
    for (const decider of running.splice(0)) await decider.stop();
  });
  afterAll(() => store.close());

  const decide = (overrides: Partial<DeciderOptions> = {}): Decider => {
    const decider = runDecider({ store, logger: log.logger, consumer: uniqueId('decider'), now: () => new Date(decidedAt), ...overrides });
    running.push(decider);
    return decider;
  };
  const untilCaughtUp = async (decider: Decider) => {
    await decider.caughtUp;
    await waitFor(() => decider.stats().inFlight === 0, 'the in-flight decisions');
  };

  it('writes one ExportRequested per export to exports-<dataflowId>, exactly as the rules and section 7 say', async () => {
    const [df, d, a, p] = [uniqueId('df'), uniqueId('d'), uniqueId('a'), uniqueId('p')];
    await appendConfig(
      store,
      configured.destination(destination(d, { includeSegmentNames: true })),
      configured.audience(audience(a, 'mp', 'Johns')),
      configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }], attributes: ['person.name.firstName'] })),
    );
    await appendProfileChanges(
      store,
      profileChanges(
        p,
        [
          ingestEvents.attributesWritten(p, { person: { name: { firstName: 'John' } } }, ingestedAt), // not realized yet: nothing
          ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt), // membership
          ingestEvents.attributesWritten(p, { person: { name: { firstName: 'Johnny' } } }, ingestedAt), // attribute
          ingestEvents.attributesWritten(p, { loyalty: { points: 3 } }, ingestedAt), // unmapped: nothing
        ],
        ingestedAt,
      ),
    );
    const decider = decide();
    await untilCaughtUp(decider);

    const ups = { [a]: { lastQualificationTime: qualifiedAt, status: 'realized', name: 'Johns' } };
    const request = (sequence: number, triggers: string[], firstName: string) => ({
      exportId: deterministicEventId('export', df, p, sequence),
      sequence,
      dataflowId: df,
      destinationId: d,
      profileId: p,
      triggers,
      lane: 'live',
      document: { person: { name: { firstName } }, segmentMembership: { ups }, identityMap: {} },
      ingestedAt,
      decidedAt,
    });
    expect(await readExports(store, df)).toEqual([request(1, ['membership'], 'John'), request(2, ['attribute'], 'Johnny')]);
    const stored = await store.readStreamEvents(`exports-${df}`, exportEvents);
    expect(stored.map((event) => event.event.data.exportId)).toEqual([deterministicEventId('export', df, p, 1), deterministicEventId('export', df, p, 2)]);
    expect(stored.map((event) => event.eventId)).toEqual(stored.map((event) => exportEventIdOf(event.event.data)));
  });

  it('applies a configuration change exactly from its place in the log, also across a restart (configuration loaded up to the checkpoint)', async () => {
    const [df, d, a, p] = [uniqueId('df'), uniqueId('d'), uniqueId('a'), uniqueId('p')];
    const backfills: BackfillHookRequest[] = [];
    // Replayed requests (configuration loaded up to the checkpoint) are flagged; only live ones count here.
    const onBackfillRequested = (request: BackfillHookRequest) => void (request.dataflowId === df && !request.replaying && backfills.push(request));
    const consumer = uniqueId('decider');
    const [realizedA, writeX, writeY, writeYAgain] = profileChanges(p, [
      ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt),
      ingestEvents.attributesWritten(p, { x: 1 }, ingestedAt),
      ingestEvents.attributesWritten(p, { y: 1 }, ingestedAt),
      ingestEvents.attributesWritten(p, { y: 2 }, ingestedAt),
    ]);
    await appendConfig(store, configured.destination(destination(d)), configured.audience(audience(a)), configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }], attributes: ['x'] })));
    await appendProfileChanges(store, [realizedA!]);
    const first = decide({ consumer, onBackfillRequested });
    await untilCaughtUp(first);
    await first.stop();
    expect(backfills).toEqual([{ dataflowId: df, audienceIds: [a], stream: `dataflow-${df}`, eventId: expect.any(String), position: expect.any(Object), replaying: false }]);

    // x is mapped, y is not yet; then y is mapped and names switched on: only the change after that sees it.
    await appendProfileChanges(store, [writeX!, writeY!]);
    await appendConfig(
      store,
      configured.destination(destination(d, { includeSegmentNames: true })),
      configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }], attributes: ['x', 'y'] })),
    );
    await appendProfileChanges(store, [writeYAgain!]);
    const second = decide({ consumer, onBackfillRequested });
    await untilCaughtUp(second);

    const exports = await readExports(store, df);
    expect(exports.map((request) => [request.sequence, request.triggers, request.document])).toEqual([
      [0, ['membership'], { segmentMembership: { ups: { [a]: { lastQualificationTime: qualifiedAt, status: 'realized' } } }, identityMap: {} }],
      [1, ['attribute'], { x: 1, segmentMembership: { ups: { [a]: { lastQualificationTime: qualifiedAt, status: 'realized' } } }, identityMap: {} }],
      [3, ['attribute'], { x: 1, y: 2, segmentMembership: { ups: { [a]: { lastQualificationTime: qualifiedAt, status: 'realized', name: `Audience ${a}` } } }, identityMap: {} }],
    ]);
    expect(backfills).toHaveLength(1); // the restart did not ask again for what was before its checkpoint
  });

  describe('restarts', () => {
    const profiles = 12;
    const changesPerProfile = 4;

    /** Two dataflows on one audience; every change moves the membership, so every change exports to both. */
    async function givenBusyProfiles() {
      const [df1, df2, d, a] = [uniqueId('df'), uniqueId('df'), uniqueId('d'), uniqueId('a')];
      await appendConfig(
        store,
        configured.destination(destination(d)),
        configured.audience(audience(a)),
        configured.dataflow(dataflow(df1, d, { audiences: [{ audienceId: a }] })),
        configured.dataflow(dataflow(df2, d, { audiences: [{ audienceId: a }] })),
      );
      const ids = Array.from({ length: profiles }, () => uniqueId('p'));
      const histories = ids.map((p) =>
        profileChanges(
          p,
          Array.from({ length: changesPerProfile }, (_, index) => ingestEvents.membershipChanged(p, a, index % 2 === 0 ? 'realized' : 'exited', qualifiedAt)),
        ),
      );
      const appendChanges = async (from: number, to: number) => {
        for (let index = from; index < to; index++) for (const history of histories) await appendProfileChanges(store, [history[index]!]);
      };
      const expected = ids.flatMap((p) => Array.from({ length: changesPerProfile }, (_, sequence) => `${p}#${sequence}`)).sort();
      const exported = async (dataflowId: string) => (await readExports(store, dataflowId)).map((request) => `${request.profileId}#${request.sequence}`).sort();
      return { df1, df2, appendChanges, expected, exported };
    }

    it('after a clean stop mid-way, nothing is lost and nothing is requested twice', async () => {
      const given = await givenBusyProfiles();
      const consumer = uniqueId('decider');
      await given.appendChanges(0, 2);
      const first = decide({ consumer, checkpointEvery: { events: 5, ms: 60_000 } });
      await untilCaughtUp(first);
      await first.stop();
      await given.appendChanges(2, changesPerProfile);
      const second = decide({ consumer, checkpointEvery: { events: 5, ms: 60_000 } });
      await untilCaughtUp(second);
      expect(second.counts().decided).toBe(profiles * 2); // only what came after the stop
      expect(await given.exported(given.df1)).toEqual(given.expected);
      expect(await given.exported(given.df2)).toEqual(given.expected);
    });

    it('after a crash (no checkpoint stored from the last change on, no final one), the re-decided changes write nothing new and none is missing', async () => {
      const given = await givenBusyProfiles();
      const consumer = uniqueId('decider');
      const real = createStreamCheckpointStore(store);
      await given.appendChanges(0, 3);
      // Only checkpoints short of the last change are stored, whenever the consumer saves (the
      // store's checkpoint once the subscription is idle would otherwise name the head).
      const lastChange = (await store.readHeadPosition())!;
      const dying: CheckpointStore = { load: (name) => real.load(name), save: async (name, at) => void (comparePositions(at, lastChange) < 0 && (await real.save(name, at))) };
      const first = decide({ consumer, checkpoints: dying, checkpointEvery: { events: 5, ms: 60_000 } });
      await untilCaughtUp(first);
      await first.stop(); // its final checkpoint is lost: as if killed here
      await given.appendChanges(3, changesPerProfile);
      const second = decide({ consumer, checkpointEvery: { events: 5, ms: 60_000 } });
      await untilCaughtUp(second);
      expect(second.counts().decided).toBeGreaterThan(profiles); // it decided again what came after the last stored checkpoint
      expect(await given.exported(given.df1)).toEqual(given.expected);
      expect(await given.exported(given.df2)).toEqual(given.expected);
    });
  });

  it('reports a dataflow pointing to a missing destination once (not per profile), counts the skipped exports, and goes on', async () => {
    const [df, dfOk, d, a] = [uniqueId('df'), uniqueId('df'), uniqueId('d'), uniqueId('a')];
    await appendConfig(
      store,
      configured.destination(destination(d)),
      configured.dataflow(dataflow(df, uniqueId('missing'), { audiences: [{ audienceId: a }] })),
      configured.dataflow(dataflow(dfOk, d, { audiences: [{ audienceId: a }] })),
    );
    const ids = Array.from({ length: 5 }, () => uniqueId('p'));
    for (const p of ids) await appendProfileChanges(store, profileChanges(p, [ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt)]));
    const decider = decide();
    await untilCaughtUp(decider);

    expect(await readExports(store, df)).toEqual([]);
    expect((await readExports(store, dfOk)).map((request) => request.profileId).sort()).toEqual([...ids].sort());
    const reports = log.withMessage('dataflow points to a missing destination, not exporting to it').filter((entry) => entry['dataflowId'] === df);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ level: 'warn', stream: expect.stringMatching(/^profile-p-/), eventId: expect.any(String) });
    expect(decider.counts().skippedMissingDestination).toBeGreaterThanOrEqual(5);
    const undefinedAudience = log.withMessage('mapped audiences have no AudienceDefined: exporting without their names and audience timestamps');
    expect(undefinedAudience.filter((entry) => entry['dataflowId'] === dfOk)).toHaveLength(1);
  });

  it('skips malformed and inconsistent events and configuration in the wrong stream, reporting each, and goes on', async () => {
    const [df, d, a, p, bad] = [uniqueId('df'), uniqueId('d'), uniqueId('a'), uniqueId('p'), uniqueId('p')];
    await appendConfig(store, configured.destination(destination(d)), configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }] })));
    const wrongStream = uniqueId('other');
    await store.appendEvents(`destination-${wrongStream}`, configurationEvents, [{ type: 'DestinationConfigured', data: destination(uniqueId('d')) }]);
    const malformedId = randomUUID();
    await store.appendUncheckedEvents(profileStreamName(bad), [{ type: 'ProfileChanged', data: { profileId: bad }, id: malformedId }]);
    const [mismatched] = profileChanges(p, [ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt)]);
    await store.appendEvents(profileStreamName(bad), profileEvents, [{ type: 'ProfileChanged', data: mismatched! }]);
    await appendProfileChanges(store, profileChanges(p, [ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt)]));
    const decider = decide();
    await untilCaughtUp(decider);

    expect((await readExports(store, df)).map((request) => [request.profileId, request.sequence])).toEqual([[p, 0]]);
    expect(log.withMessage('event rejected').filter((entry) => entry['eventId'] === malformedId)).not.toHaveLength(0);
    expect(log.withMessage('profile change skipped').filter((entry) => entry['stream'] === profileStreamName(bad))).toEqual([
      expect.objectContaining({ level: 'warn', revision: '1', reason: `profileId '${p}' does not match the stream's profile '${bad}'` }),
    ]);
    expect(log.withMessage('configuration event skipped').filter((entry) => entry['stream'] === `destination-${wrongStream}`)).not.toHaveLength(0);
  });

  it('shares the profiles between instances (SPILLWAY_PARTITION k/n): each export is decided once, by the owner of its profile', async () => {
    const [df, d, a] = [uniqueId('df'), uniqueId('d'), uniqueId('a')];
    await appendConfig(store, configured.destination(destination(d)), configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }] })));
    const ids = Array.from({ length: 16 }, () => uniqueId('p'));
    for (const p of ids) await appendProfileChanges(store, profileChanges(p, [ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt)]));
    const clockOf = (index: number) => `2024-05-01T10:00:0${index}.000Z`;
    const instances = [0, 1].map((index) => decide({ partition: { index, count: 2 }, now: () => new Date(clockOf(index)) }));
    for (const instance of instances) await untilCaughtUp(instance);

    const exports = await readExports(store, df);
    expect(exports.map((request) => request.profileId).sort()).toEqual([...ids].sort());
    for (const request of exports) expect(request.decidedAt).toBe(clockOf(partitionOf(request.profileId, 2)));
  });
});
