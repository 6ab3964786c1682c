import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { startStoreProcess, type StoreProcess } from '@spillway/testing';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendIngest, readProfileChanges, waitFor } from './testing/fixtures.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Projector {
  readonly entries: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

function startProjector(connectionString: string, partition: string): Projector {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, EVENTSTORE_CONNECTION_STRING: connectionString, SPILLWAY_PARTITION: partition, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const entries: Record<string, unknown>[] = [];
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) entries.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { entries, exited, signal: (signal) => void child.kill(signal) };
}

const logged = (projector: Projector, message: string) => waitFor(() => projector.entries.some((entry) => entry['message'] === message), message, 20_000);

describe('profile-projector processes', () => {
  let storeProcess: StoreProcess;
  let store: EventStore;
  beforeAll(async () => {
    storeProcess = await startStoreProcess({ inMemory: true });
    store = await connectEventStore(storeProcess.connectionString, { logger: createLogger({ service: 'test', write: () => {} }) });
  });
  afterAll(async () => {
    await store?.close();
    await storeProcess?.stop();
  });

  it('two partitions share the profiles, survive a kill -9 and a restart, and publish each change once', async () => {
    const profiles = Array.from({ length: 8 }, (_, index) => `e2e-p${index}`);
    const both = () => ['0/2', '1/2'].map((partition) => startProjector(storeProcess.connectionString, partition));
    const countsPerProfile = async () => Promise.all(profiles.map(async (profileId) => (await readProfileChanges(store, profileId)).length));

    const first = both();
    await Promise.all(first.map((projector) => logged(projector, 'consumer started')));
    expect(first.map((projector) => projector.entries.find((entry) => entry['message'] === 'consumer started')?.['consumer'])).toEqual([
      'profile-projector-0-of-2',
      'profile-projector-1-of-2',
    ]);
    await appendIngest(store, profiles.map((profileId) => ingestEvents.attributesWritten(profileId, { a: 1 }, '2026-02-01T10:00:00Z')));
    await waitFor(async () => (await countsPerProfile()).every((count) => count === 1), 'one change per profile', 20_000);

    first[0]!.signal('SIGKILL');
    first[1]!.signal('SIGTERM');
    expect(await first[1]!.exited).toBe(0);
    await first[0]!.exited;

    await appendIngest(store, profiles.map((profileId) => ingestEvents.attributesWritten(profileId, { b: 2 }, '2026-02-01T10:00:00Z')));
    const second = both();
    await waitFor(async () => (await countsPerProfile()).every((count) => count === 2), 'the second change of every profile', 20_000);
    for (const projector of second) projector.signal('SIGTERM');
    expect(await Promise.all(second.map((projector) => projector.exited))).toEqual([0, 0]);

    expect(await countsPerProfile()).toEqual(profiles.map(() => 2));
    const states = await Promise.all(profiles.map(async (profileId) => (await readProfileChanges(store, profileId)).at(-1)?.data.state.attributes));
    expect(states).toEqual(profiles.map(() => ({ a: 1, b: 2 })));
  });

  it('refuses a partition setting it cannot read, naming it, with exit 1', async () => {
    const projector = startProjector(storeProcess.connectionString, '2/2');
    expect(await projector.exited).toBe(1);
    expect(projector.entries.find((entry) => entry['message'] === 'could not start')).toMatchObject({
      level: 'error',
      error: { name: 'InvalidEnvironmentError', message: expect.stringContaining("SPILLWAY_PARTITION partition '2/2' has k >= n") },
    });
  });
});
