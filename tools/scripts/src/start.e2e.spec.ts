import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { exitWithin, freePort, isRunning, repoRoot, runNode, type LogLine, type NodeProcess } from './test-setup/processes.ts';

const launcher = join(repoRoot, 'tools/scripts/src/start.ts');
const services = ['profile-projector', 'export-decider', 'delivery-agent'];
const stopWithinMs = 10_000;

const startedAndConnected = (name: string) => (line: LogLine) =>
  line.source === name && line.entry['message'] === 'started' && line.entry['connected'] === true;
const launcherSaid = (message: string) => (line: LogLine) => line.source === undefined && line.entry['message'] === message;

describe('npm start', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startLauncher(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ launcher: NodeProcess; pids: () => number[] }> {
    const process_ = runNode(launcher, args, { ...process.env, LOG_LEVEL: 'info', ...env });
    const pids = () =>
      process_.lines.flatMap((line) => {
        const listed = line.entry['services'];
        const fromServices = Array.isArray(listed) ? listed.map((service: { pid: number }) => service.pid) : [];
        return typeof line.entry['pid'] === 'number' && line.source === undefined ? [...fromServices, line.entry['pid']] : fromServices;
      });
    cleanups.push(() => {
      for (const pid of [process_.pid, ...pids()]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    });
    return { launcher: process_, pids };
  }

  it('starts the store and the three services, and stops them all with exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { launcher: running, pids } = await startLauncher([], {
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`,
      SPILLWAY_DATA_DIR: dataDir,
    });

    const listening = await running.waitForLine(launcherSaid('store listening'), 'the store to listen');
    expect(listening.entry).toMatchObject({ port, dataDir });
    for (const name of services) await running.waitForLine(startedAndConnected(name), `${name} to start`);
    const children = pids();
    expect(children).toHaveLength(4);

    running.signal('SIGTERM');
    const exit = await exitWithin(running, stopWithinMs, 'the launcher');
    expect(exit).toEqual({ code: 0, signal: null });
    const stopped = running.lines.find(launcherSaid('stopped'));
    expect(stopped?.entry['exits']).toEqual(
      expect.arrayContaining([...services, 'event-store'].map((name) => ({ name, code: 0, signal: null }))),
    );
    for (const name of services) expect(running.lines.some((line) => line.source === name && line.entry['message'] === 'stopped')).toBe(true);
    expect(children.filter(isRunning)).toEqual([]);
    // Services stop before the store, so their last checkpoints reach it.
    const order = running.lines.filter((line) => line.entry['message'] === 'stopped').map((line) => line.source);
    expect(order.indexOf('event-store')).toBeGreaterThan(Math.max(...services.map((name) => order.indexOf(name))));
  });

  it('stops everything with a non-zero exit when a process dies, restarting nothing', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { launcher: running, pids } = await startLauncher([], {
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`,
      SPILLWAY_DATA_DIR: dataDir,
    });
    for (const name of services) await running.waitForLine(startedAndConnected(name), `${name} to start`);
    const started = running.lines.find(launcherSaid('services started'))?.entry['services'] as { name: string; pid: number }[];
    const victim = started.find((service) => service.name === 'export-decider')!;

    process.kill(victim.pid, 'SIGKILL');
    const exit = await exitWithin(running, stopWithinMs, 'the launcher');
    expect(exit.code).toBe(1);
    const report = running.lines.find((line) => line.source === undefined && line.entry['level'] === 'error');
    expect(report?.entry).toMatchObject({ name: 'export-decider', signal: 'SIGKILL' });
    expect(pids().filter(isRunning)).toEqual([]);
    expect(running.lines.filter(startedAndConnected('export-decider'))).toHaveLength(1);
  });

  it('with --no-store runs only the services, against the given store', async () => {
    const { launcher: running, pids } = await startLauncher(['--no-store'], {
      EVENTSTORE_CONNECTION_STRING: inject('eventstoreConnectionString'),
    });
    for (const name of services) await running.waitForLine(startedAndConnected(name), `${name} to start`);
    expect(running.lines.some(launcherSaid('store listening'))).toBe(false);
    expect(pids()).toHaveLength(3);

    running.signal('SIGINT');
    const exit = await exitWithin(running, stopWithinMs, 'the launcher');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(pids().filter(isRunning)).toEqual([]);
  });
});
