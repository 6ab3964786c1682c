import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingestEventCatalog } from '../config-streams/public-catalogs.ts';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

const cliMain = fileURLToPath(new URL('../main.ts', import.meta.url));

let store: EventStore;
beforeAll(async () => {
  store = await connectForTest();
});
afterAll(async () => {
  await store.close();
});

const eventCount = async (profileId: string) => (await store.readStreamEvents(`ingest-${profileId}`, ingestEventCatalog)).length;

async function eventCounts(profileIds: readonly string[]): Promise<number[]> {
  const counts: number[] = [];
  for (let start = 0; start < profileIds.length; start += 64) counts.push(...(await Promise.all(profileIds.slice(start, start + 64).map(eventCount))));
  return counts;
}

describe('spillway audiences import, interrupted', () => {
  it('given an import killed halfway, when run again, then every row has its membership exactly once', { timeout: 60_000 }, async () => {
    const audienceId = uniqueId('killed');
    const profileIds = Array.from({ length: 1000 }, (_, index) => `${audienceId}-p${index}`);
    const file = await writeTempFile('killed.csv', `id\n${profileIds.join('\n')}\n`);
    const args = ['audiences', 'import', file, '--id', audienceId, '--name', 'Killed halfway'];
    const child = spawn(process.execPath, [cliMain, ...args, '--concurrency', '2'], {
      env: { ...process.env, EVENTSTORE_CONNECTION_STRING: inject('eventstoreConnectionString') },
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    // Killed as soon as row 50 is in the store: well before the end, after some writes.
    while ((await eventCount(profileIds[50]!)) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    await exited;
    const partial = await eventCounts(profileIds);
    expect(partial.filter((count) => count === 1).length).toBeGreaterThan(50);
    expect(partial.filter((count) => count === 0).length).toBeGreaterThan(0);

    const rerun = await runCli([...args, '--json']);
    expect(rerun.exitCode).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ outcome: 'imported', rows: 1000, members: 1000, written: 1000 });
    expect(new Set(await eventCounts(profileIds))).toEqual(new Set([1]));
  });
});
