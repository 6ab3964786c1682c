import { isInPartition, type EventStore } from '@spillway/event-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendIngest,
  captureLogger,
  connectForTest,
  crashableCheckpoints,
  publishedOutput,
  readProfileChanges,
  sampleWorkload,
  startTestProjector,
  uniqueTag,
  waitFor,
} from '../testing/fixtures.ts';
import type { ProjectorOptions } from './projector.ts';
import { profileChangedEventId } from './profile-stream.ts';

const profiles = 6;
const rounds = 8;

describe('the profile projector across restarts, crashes, partitions and cache sizes', () => {
  let store: EventStore;
  /** What one uninterrupted projector with a big cache publishes for the workload. */
  let reference: unknown;
  beforeAll(async () => {
    store = await connectForTest(captureLogger().logger);
    const tag = await workload('reference');
    const projector = start(tag);
    await projector.caughtUp;
    await projector.stop();
    reference = await publishedOutput(store, tag, profiles);
    expect(projector.counts()).toMatchObject({ unchanged: expect.any(Number), alreadyApplied: 0 });
    expect(projector.counts().unchanged).toBeGreaterThan(0);
  });
  afterAll(() => store.close());

  async function workload(label: string): Promise<string> {
    const tag = uniqueTag(label);
    await appendIngest(store, sampleWorkload(tag, profiles, rounds));
    return tag;
  }

  const start = (tag: string, overrides: Partial<ProjectorOptions> = {}) => startTestProjector(store, tag, overrides);

  async function publishedCount(tag: string): Promise<number> {
    let count = 0;
    for (let index = 0; index < profiles; index++) count += (await readProfileChanges(store, `${tag}p${index}`)).length;
    return count;
  }

  it('publishes each change once when stopped mid-way and started again', async () => {
    const tag = await workload('restart');
    const first = start(tag, { maxInFlight: 4, checkpointEvery: { events: 5 } });
    await waitFor(() => first.counts().projected >= 10, 'some changes');
    await first.stop();
    const second = start(tag, { maxInFlight: 4 });
    await second.caughtUp;
    await second.stop();

    expect(await publishedOutput(store, tag, profiles)).toEqual(reference);
    expect(first.counts().projected + second.counts().projected).toBe(await publishedCount(tag));
    const published = await readProfileChanges(store, `${tag}p0`);
    expect(published.map((change) => change.eventId)).toEqual(published.map((change) => profileChangedEventId(change.data)));
  });

  it.each([0, 10])('after a crash (no checkpoint stored after %i changes) re-handles what came after it without publishing anything twice', async (crashAfter) => {
    const tag = await workload('crash');
    const crashable = crashableCheckpoints(store);
    const first = start(tag, { maxInFlight: 4, checkpointEvery: { events: 5 }, checkpoints: crashable.checkpoints });
    await waitFor(() => first.counts().projected >= crashAfter, 'some changes');
    crashable.crash();
    await first.caughtUp;
    await first.stop();
    const second = start(tag, { maxInFlight: 4 });
    await second.caughtUp;
    await second.stop();

    expect(await publishedOutput(store, tag, profiles)).toEqual(reference);
    expect(second.counts().alreadyApplied).toBeGreaterThan(0);
    if (crashAfter === 0) {
      // Everything came again: nothing new to publish; the trailing no-change events were folded again.
      expect(second.counts().projected).toBe(0);
      expect(second.counts().alreadyApplied + second.counts().unchanged).toBe(profiles * rounds);
    }
    expect(first.counts().projected + second.counts().projected).toBe(await publishedCount(tag));
  });

  it('two partitions running together publish exactly what one instance does', async () => {
    const tag = await workload('partitions');
    const owners = Array.from({ length: profiles }, (_, index) => isInPartition(`${tag}p${index}`, { index: 0, count: 2 }));
    const [zero, one] = [0, 1].map((index) => start(tag, { partition: { index, count: 2 }, consumer: `projector-${tag}${index}-of-2` }));
    await Promise.all([zero!.caughtUp, one!.caughtUp]);
    await Promise.all([zero!.stop(), one!.stop()]);

    expect(await publishedOutput(store, tag, profiles)).toEqual(reference);
    const ownedBy = (partition: number) => owners.filter((isZero) => isZero === (partition === 0)).length;
    expect(zero!.counts().otherPartition).toBe(ownedBy(1) * rounds);
    expect(one!.counts().otherPartition).toBe(ownedBy(0) * rounds);
  });

  it.each([1, 16])('with a cache far smaller than the profiles publishes exactly what a big cache does (%i in flight)', async (maxInFlight) => {
    const tag = await workload('small-cache');
    const projector = start(tag, { cacheSize: 2, maxInFlight });
    await projector.caughtUp;
    await projector.stop();

    expect(await publishedOutput(store, tag, profiles)).toEqual(reference);
    // One at a time, round robin over 6 profiles with room for 2, every event misses: each
    // evicted profile was read back from its stream. With 16 in flight a profile's queued changes
    // run back to back in its lane, so they may all find it in the cache: at least one miss each.
    if (maxInFlight === 1) expect(projector.counts().cacheMisses).toBe(profiles * rounds);
    else expect(projector.counts().cacheMisses).toBeGreaterThanOrEqual(profiles);
  });
});
