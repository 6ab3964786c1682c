import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStreamCheckpointStore, type EventStore } from '@spillway/event-streams';
import { backfillStreamName, summarizeBackfills, type BackfillEvent, type ExportRequested } from '@spillway/pipeline-events';
import { ingestEvents, type IngestEvent } from '@spillway/xdm';
import { runDecider, type Decider, type DeciderOptions } from '../consumer/run-decider.ts';
import { appendConfig, appendProfileChanges, captureLogger, connectForTest, readExports, uniqueId, waitFor, type CapturedLogger } from '../test-setup/store-fixtures.ts';
import { configured, dataflow, destination, profileChanges } from '../testing/fixtures.ts';
import { backfillEvents } from './backfill-events.ts';

const qualifiedAt = '2024-05-01T09:00:00Z';
const realized = (p: string, a: string): IngestEvent => ingestEvents.membershipChanged(p, a, 'realized', qualifiedAt);
const exited = (p: string, a: string): IngestEvent => ingestEvents.membershipChanged(p, a, 'exited', qualifiedAt);

describe('historical backfill against the real store', () => {
  let log: CapturedLogger;
  let store: EventStore;
  const running: Decider[] = [];
  beforeAll(async () => {
    log = captureLogger();
    store = await connectForTest(log.logger);
  });
  afterEach(async () => {
    for (const decider of running.splice(0)) await decider.stop().catch(() => {});
  });
  afterAll(() => store.close());

  /** Profiles created before the dataflow: `count` realized in a, some exited from a, some in b only, some in both. */
  async function givenProfiles(count: number) {
    const [df, d, a, b] = [uniqueId('df'), uniqueId('d'), uniqueId('a'), uniqueId('b')];
    const inA = Array.from({ length: count }, () => uniqueId('p'));
    const inBoth = inA.slice(0, 10);
    const exitedFromA = Array.from({ length: 20 }, () => uniqueId('p'));
    const onlyB = Array.from({ length: 30 }, () => uniqueId('p'));
    await appendConfig(store, configured.destination(destination(d)));
    const histories: Promise<void>[] = [
      ...inA.map((p) => appendProfileChanges(store, profileChanges(p, inBoth.includes(p) ? [realized(p, b), realized(p, a)] : [ingestEvents.attributesWritten(p, { loyalty: { points: 1 } }, qualifiedAt), realized(p, a)]))),
      ...exitedFromA.map((p) => appendProfileChanges(store, profileChanges(p, [realized(p, a), exited(p, a)]))),
      ...onlyB.map((p) => appendProfileChanges(store, profileChanges(p, [realized(p, b)]))),
    ];
    await Promise.all(histories);
    const config = (audiences: string[]) => configured.dataflow(dataflow(df, d, { audiences: audiences.map((audienceId) => ({ audienceId })), attributes: ['loyalty.points'] }));
    return { df, a, b, inA, inBoth, onlyB, config };
  }

  /** A decider whose checkpoint is the end of the log now: the configuration of other tests is loaded, not handled live. */
  async function startDecider(df: string, consumer = uniqueId('decider'), overrides: Partial<DeciderOptions> = {}): Promise<Decider> {
    const checkpoints = createStreamCheckpointStore(store);
    if ((await checkpoints.load(consumer)) === undefined) {
      const marker = await store.appendUncheckedEvents(uniqueId('marker'), [{ type: 'Marker', data: {} }]);
      await checkpoints.save(consumer, marker.position!);
    }
    const decider = runDecider({
      store,
      logger: log.logger,
      consumer,
      checkpoints,
      backfill: { ratePerSecond: 100_000, progressEvery: { profiles: 20, ms: 60_000 }, dataflows: (id) => id === df },
      ...overrides,
    });
    running.push(decider);
    return decider;
  }

  const backfills = async (df: string) => {
    const events = await store.readStreamEvents(backfillStreamName(df), backfillEvents);
    return { events: events.map((e) => e.event as BackfillEvent), statuses: summarizeBackfills(events.map((e) => e.event as BackfillEvent)) };
  };
  const untilCompleted = (df: string, count: number, timeoutMs = 20_000) =>
    waitFor(async () => (await backfills(df)).statuses.filter((s) => s.state === 'completed').length >= count, `${count} completed backfills of ${df}`, timeoutMs);
  const profileIds = (exports: readonly ExportRequested[]) => exports.map((e) => e.profileId).sort();

  it('exports every realized profile once with lane backfill; a second audience backfills its members, those exported before included; the same config again backfills nothing', async () => {
    const given = await givenProfiles(200);
    const decider = await startDecider(given.df);
    await decider.caughtUp;
    await appendConfig(store, given.config([given.a]));
    await untilCompleted(given.df, 1);

    const first = await readExports(store, given.df);
    expect(first).toHaveLength(200);
    expect(profileIds(first)).toEqual([...given.inA].sort());
    expect(first.every((e) => e.lane === 'backfill' && e.triggers.join() === 'backfill' && e.sequence === 1)).toBe(true);
    expect(first.find((e) => e.profileId === given.inA[199])?.document).toMatchObject({ loyalty: { points: expect.any(Number) }, segmentMembership: { ups: { [given.a]: { status: 'realized' } } } });

    await appendConfig(store, given.config([given.a, given.b]));
    await untilCompleted(given.df, 2);
    const second = await readExports(store, given.df);
    // The members of b also in a were exported at this version before b was mapped: again, with b, under a new export id.
    expect(profileIds(second.slice(200))).toEqual([...given.onlyB, ...given.inBoth].sort());
    expect(second).toHaveLength(240);
    const [, added] = (await backfills(given.df)).statuses;
    expect(added).toMatchObject({ audienceIds: [given.b], state: 'completed', exported: 40 });
    const inBoth = given.inBoth[0]!;
    const [before, again] = second.filter((e) => e.profileId === inBoth);
    expect(again?.sequence).toBe(before?.sequence);
    expect(again?.exportId).not.toBe(before?.exportId);
    expect(again?.document).toMatchObject({ segmentMembership: { ups: { [given.a]: { status: 'realized' }, [given.b]: { status: 'realized' } } } });

    await appendConfig(store, given.config([given.a, given.b]));
    await waitFor(() => decider.counts().configurationApplied >= 3, 'the same configuration applied again');
    await waitFor(() => decider.stats().inFlight === 0, 'the decider idle');
    await decider.backfill?.settled();
    expect((await backfills(given.df)).events.filter((e) => e.type === 'BackfillStarted')).toHaveLength(2);
    expect(await readExports(store, given.df)).toHaveLength(240);
  });

  it('resumes after a crash mid-backfill from its last progress: no profile missing, none exported twice', async () => {
    const given = await givenProfiles(200);
    const consumer = uniqueId('decider');
    const crashing = await connectForTest(log.logger);
    const first = runDecider({
      store: crashing,
      logger: log.logger,
      consumer,
      checkpoints: createStreamCheckpointStore(store),
      backfill: { ratePerSecond: 150, progressEvery: { profiles: 20, ms: 60_000 }, dataflows: (id) => id === given.df },
    });
    const marker = await store.appendUncheckedEvents(uniqueId('marker'), [{ type: 'Marker', data: {} }]);
    await createStreamCheckpointStore(store).save(consumer, marker.position!);
    await first.caughtUp;
    await appendConfig(store, given.config([given.a]));
    await waitFor(async () => ((await backfills(given.df)).statuses[0]?.scanned ?? 0) >= 60, 'progress past 60 profiles');
    await crashing.close(); // the connection goes away mid-backfill: no clean stop, no final progress
    await first.stop().catch(() => {});
    const exportedBefore = (await readExports(store, given.df)).length;
    expect(exportedBefore).toBeLessThan(200);

    const second = await startDecider(given.df, consumer);
    await second.caughtUp;
    await untilCompleted(given.df, 1);
    const exports = await readExports(store, given.df);
    expect(profileIds(exports)).toEqual([...given.inA].sort());
    expect(new Set(exports.map((e) => e.exportId)).size).toBe(200);
    expect(log.withMessage('backfill resumed').filter((entry) => entry['dataflowId'] === given.df)).toHaveLength(1);
    expect((await backfills(given.df)).events.filter((e) => e.type === 'BackfillStarted')).toHaveLength(1);
  });

  it('a backfill queued behind another exports the newest version of profiles changed live while it waited, never an older one after it', async () => {
    const given = await givenProfiles(200);
    const decider = await startDecider(given.df, uniqueId('decider'), {
      // Slow enough that the first backfill (every profile in the store) is still running when the live changes come.
      backfill: { ratePerSecond: 300, liveLagTargetMs: 'off', progressEvery: { profiles: 20, ms: 60_000 }, dataflows: (id) => id === given.df },
    });
    await decider.caughtUp;
    await appendConfig(store, given.config([given.a]));
    await appendConfig(store, given.config([given.a, given.b]));
    await waitFor(async () => (await backfills(given.df)).statuses.length >= 2, 'the second backfill queued');
    // Changed after the second backfill's configuration event, decided live before that backfill runs.
    await Promise.all(
      given.onlyB.map((p) => appendProfileChanges(store, profileChanges(p, [realized(p, given.b), ingestEvents.attributesWritten(p, { loyalty: { points: 7 } }, qualifiedAt)]).slice(1))),
    );
    await waitFor(async () => (await readExports(store, given.df)).filter((e) => e.lane === 'live').length >= given.onlyB.length, 'the live exports');
    expect((await backfills(given.df)).statuses[0]?.state).toBe('running');
    await untilCompleted(given.df, 2, 100_000);

    const exports = await readExports(store, given.df);
    expect(new Set(exports.map((e) => e.exportId)).size).toBe(exports.length);
    for (const p of given.onlyB) expect(exports.filter((e) => e.profileId === p).map((e) => e.sequence), p).toEqual([1]);
  }, 120_000);

  it('lets live changes through during a backfill, and never puts an older backfill sequence after a newer live one', async () => {
    const given = await givenProfiles(200);
    const decider = await startDecider(given.df, uniqueId('decider'), {
      // The backfill scans every profile in the store (at least this test's 250) at 100/s: it runs for
      // seconds, long enough to see live exports pass it.
      // A fixed pace (its give-way to late live changes is unit-tested), so the backfill's length is known.
      backfill: { ratePerSecond: 100, liveLagTargetMs: 'off', progressEvery: { profiles: 20, ms: 60_000 }, dataflows: (id) => id === given.df },
    });
    await decider.caughtUp;
    await appendConfig(store, given.config([given.a]));
    await waitFor(async () => ((await backfills(given.df)).statuses[0]?.scanned ?? 0) >= 40, 'the backfill under way');
    // Some already backfilled, some not yet: each gets a mapped attribute change (a live export).
    const changed = [...given.inA.slice(0, 10), ...given.inA.slice(-10)];
    await Promise.all(
      changed.map((p) =>
        appendProfileChanges(store, profileChanges(p, [ingestEvents.attributesWritten(p, { loyalty: { points: 1 } }, qualifiedAt), realized(p, given.a), ingestEvents.attributesWritten(p, { loyalty: { points: 7 } }, qualifiedAt)]).slice(2)),
      ),
    );
    await waitFor(async () => (await readExports(store, given.df)).filter((e) => e.lane === 'live').length >= changed.length, 'the live exports');
    // Live changes do not queue behind the backfill's lane: they are exported while it still runs.
    expect((await backfills(given.df)).statuses[0]?.state).toBe('running');
    await untilCompleted(given.df, 1, 100_000);

    const exports = await readExports(store, given.df);
    expect(new Set(exports.map((e) => e.exportId)).size).toBe(exports.length);
    expect(new Set(profileIds(exports))).toEqual(new Set(given.inA));
    for (const p of changed) {
      const sequences = exports.filter((e) => e.profileId === p).map((e) => e.sequence);
      expect(sequences, p).toContain(2); // the live change's version
      expect(sequences, p).toEqual([...sequences].sort((x, y) => x - y)); // in the stream, never older after newer
      expect(exports.find((e) => e.profileId === p && e.sequence === 2)?.document, p).toMatchObject({ loyalty: { points: 7 } });
    }
  }, 120_000);
});
