import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { startStoreProcess, type StoreProcess } from '@spillway/testing';
import { ingestEvents } from '@spillway/xdm';
import { startDeciderProcess, type DeciderProcess } from './test-setup/decider-process.ts';
import { appendConfig, appendProfileChanges, captureLogger, readExports, uniqueId, waitFor } from './test-setup/store-fixtures.ts';
import { audience, configured, dataflow, destination, profileChanges } from './testing/fixtures.ts';

describe('export-decider as a process', () => {
  // A store of its own: a decider process decides every profile change in the store it is
  // given, and the int specs assert the exact events their own deciders write.
  let storeProcess: StoreProcess;
  let store: EventStore;
  const started: DeciderProcess[] = [];
  beforeAll(async () => {
    storeProcess = await startStoreProcess({ inMemory: true });
    store = await connectEventStore(storeProcess.connectionString, { logger: captureLogger().logger, connectTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    for (const process_ of started) process_.kill('SIGKILL');
    await store?.close();
    await storeProcess?.stop();
  });

  const start = () => {
    const decider = startDeciderProcess({ EVENTSTORE_CONNECTION_STRING: storeProcess.connectionString, SPILLWAY_PARTITION: '0/1' });
    started.push(decider);
    return decider;
  };

  const appendProfilesTo = async (audienceId: string, count: number) => {
    const ids = Array.from({ length: count }, () => uniqueId('p'));
    for (let from = 0; from < ids.length; from += 50) {
      await Promise.all(ids.slice(from, from + 50).map((p) => appendProfileChanges(store, profileChanges(p, [ingestEvents.membershipChanged(p, audienceId, 'realized', '2024-05-01T09:00:00Z')]))));
    }
    return ids;
  };

  it('killed (SIGKILL) while writing batched exports (changes that came after it started) and started again, it requests every export exactly once', { timeout: 60_000 }, async () => {
    const [df, d, a] = [uniqueId('df'), uniqueId('d'), uniqueId('a')];
    await appendConfig(store, configured.destination(destination(d)), configured.audience(audience(a)), configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }] })));
    const exportCount = async () => (await readExports(store, df)).length;
    const first = start();
    await waitFor(() => first.hasLogged('deciding'), 'the first decider running', 30_000);
    const appending = appendProfilesTo(a, 1_000);
    await waitFor(async () => (await exportCount()) >= 150, 'the first exports', 30_000);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const before = await appending;

    const second = start();
    await waitFor(() => second.hasLogged('deciding'), 'the second decider running', 30_000);
    const after = await appendProfilesTo(a, 300);
    await waitFor(async () => (await exportCount()) >= before.length + after.length, 'every export', 30_000);
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const exports = await readExports(store, df);
    expect(exports.map((request) => request.profileId).sort()).toEqual([...before, ...after].sort());
    expect(new Set(exports.map((request) => request.exportId)).size).toBe(exports.length);
    // The changes that came after it started shared appends.
    const counts = second.lines.find((line) => line['message'] === 'decider stopped')?.['counts'] as { exportsRequested: number; exportAppends: number };
    expect(counts.exportAppends).toBeLessThan(counts.exportsRequested);
  });

  it('killed (SIGKILL) mid-way and started again, it requests every export exactly once', { timeout: 60_000 }, async () => {
    const [df, d, a] = [uniqueId('df'), uniqueId('d'), uniqueId('a')];
    await appendConfig(store, configured.destination(destination(d)), configured.audience(audience(a)), configured.dataflow(dataflow(df, d, { audiences: [{ audienceId: a }] })));
    const appendProfiles = async (count: number) => {
      const ids = Array.from({ length: count }, () => uniqueId('p'));
      for (let from = 0; from < ids.length; from += 50) {
        await Promise.all(ids.slice(from, from + 50).map((p) => appendProfileChanges(store, profileChanges(p, [ingestEvents.membershipChanged(p, a, 'realized', '2024-05-01T09:00:00Z')]))));
      }
      return ids;
    };
    const before = await appendProfiles(600);
    const exportCount = async () => (await readExports(store, df)).length;

    const first = start();
    await waitFor(async () => (await exportCount()) >= 100, 'the first exports', 30_000);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const after = await appendProfiles(100);
    const second = start();
    await waitFor(async () => (await exportCount()) >= before.length + after.length, 'every export', 30_000);
    second.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const exports = await readExports(store, df);
    expect(exports.map((request) => request.profileId).sort()).toEqual([...before, ...after].sort());
    expect(new Set(exports.map((request) => request.exportId)).size).toBe(exports.length);
    expect(second.hasLogged('decider stopped')).toBe(true);
  });
});
