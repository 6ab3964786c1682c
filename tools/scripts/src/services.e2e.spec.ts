import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { exitWithin, isRunning, repoRoot, runNode, type NodeProcess } from './test-setup/processes.ts';

let running: NodeProcess | undefined;
afterEach(() => {
  if (running && isRunning(running.pid)) process.kill(running.pid, 'SIGKILL');
});

describe.each(['profile-projector', 'export-decider', 'delivery-agent'])('%s on its own', (name) => {
  it('starts, connects, and stops with exit 0 on SIGTERM', async () => {
    running = runNode(join(repoRoot, `apps/${name}/src/main.ts`), [], {
      ...process.env,
      EVENTSTORE_CONNECTION_STRING: inject('eventstoreConnectionString'),
      LOG_LEVEL: 'info',
    });
    const started = await running.waitForLine((line) => line.entry['message'] === 'started', 'the started line');
    expect(started.entry).toMatchObject({ level: 'info', service: name, connected: true });
    await running.waitForLine((line) => line.entry['message'] === 'consumer started', 'the consumer to start');

    running.signal('SIGTERM');
    const exit = await exitWithin(running, 10_000, name);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.lines.map((line) => line.entry['message'])).toEqual(expect.arrayContaining(['shutting down', 'consumer stopped', 'stopped']));
  });
});

describe.each(['profile-projector', 'export-decider', 'delivery-agent', 'management-api', 'alert-manager'])('%s while the store is unreachable', (name) => {
  it('stops with exit 0 on SIGTERM, running its shutdown rather than dying of the signal', async () => {
    // Nothing listens on port 1, so the service keeps retrying: the launcher may signal it at any point of its start.
    running = runNode(join(repoRoot, `apps/${name}/src/main.ts`), [], { ...process.env, EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false', SPILLWAY_API_PORT: '0', LOG_LEVEL: 'info' });
    await running.waitForLine((line) => line.entry['message'] === 'waiting for the store', 'the wait for the store');

    running.signal('SIGTERM');
    const exit = await exitWithin(running, 10_000, name);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.lines.map((line) => line.entry['message'])).toContain('stopped');
  });
});
