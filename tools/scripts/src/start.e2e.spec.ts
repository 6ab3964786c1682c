import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { exitWithin, freePort, isRunning, repoRoot, runNode, runToEnd, type LogLine, type NodeProcess } from './test-setup/processes.ts';

const launcher = join(repoRoot, 'tools/scripts/src/start.ts');
const cli = join(repoRoot, 'apps/cli/src/main.ts');
const services = ['profile-projector', 'export-decider', 'delivery-agent', 'management-api', 'alert-manager'];
const stopWithinMs = 10_000;

const startedAndConnected = (name: string) => (line: LogLine) =>
  line.source === name && line.entry['message'] === 'started' && line.entry['connected'] === true;
const launcherSaid = (message: string) => (line: LogLine) => line.source === undefined && line.entry['message'] === message;

/** The example receiver on a free port, and the example configuration pointing to it (a copy of examples/spillway.yaml). */
async function exampleOnFreePort(cleanups: (() => Promise<void> | void)[]): Promise<NodeJS.ProcessEnv> {
  const receiverPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'spillway-example-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'spillway.yaml');
  const example = await readFile(join(repoRoot, 'examples/spillway.yaml'), 'utf8');
  expect(example).toContain('http://127.0.0.1:8787/exports');
  await writeFile(config, example.replaceAll('127.0.0.1:8787', `127.0.0.1:${receiverPort}`));
  return { RECEIVER_PORT: String(receiverPort), SPILLWAY_EXAMPLE_CONFIG: config };
}

const cliSaid = (text: string) => (line: LogLine) => line.source === 'spillway' && line.text === text;

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

  it('starts the store, the three services, the management API and the alert manager, and stops them all with exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { launcher: running, pids } = await startLauncher([], {
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`,
      SPILLWAY_DATA_DIR: dataDir,
      ...(await exampleOnFreePort(cleanups)),
    });

    const listening = await running.waitForLine(launcherSaid('store listening'), 'the store to listen');
    expect(listening.entry).toMatchObject({ port, dataDir });
    for (const name of services) await running.waitForLine(startedAndConnected(name), `${name} to start`);
    await running.waitForLine(launcherSaid('example configuration applied'), 'the example configuration');
    const children = pids();
    expect(children).toHaveLength(services.length + 2);

    running.signal('SIGTERM');
    const exit = await exitWithin(running, stopWithinMs, 'the launcher');
    expect(exit).toEqual({ code: 0, signal: null });
    const stopped = running.lines.find(launcherSaid('stopped'));
    expect(stopped?.entry['exits']).toEqual([...services, 'example-receiver', 'event-store'].map((name) => ({ name, code: 0, signal: null })));
    for (const name of services) expect(running.lines.some((line) => line.source === name && line.entry['message'] === 'stopped')).toBe(true);
    expect(children.filter(isRunning)).toEqual([]);
    // Services stop before the store, so their last checkpoints reach it.
    const order = running.lines.filter((line) => line.entry['message'] === 'stopped').map((line) => line.source);
    expect(order.indexOf('event-store')).toBeGreaterThan(Math.max(...services.map((name) => order.indexOf(name))));
    expect(order.indexOf('example-receiver')).toBeGreaterThan(Math.max(...services.map((name) => order.indexOf(name))));
  });

  it('stops with exit 0 on a Ctrl-C that comes while it is still starting the processes', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { launcher: running } = await startLauncher(['--no-example'], { EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`, SPILLWAY_DATA_DIR: dataDir });

    // The store is being spawned now and is still loading its modules.
    await running.waitForLine(launcherSaid('starting'), 'the launcher to start');
    running.signal('SIGINT');
    const exit = await exitWithin(running, stopWithinMs, 'the launcher');
    const troubles = running.lines.filter((line) => line.source === undefined && (line.entry['level'] === 'warn' || line.entry['level'] === 'error'));
    expect(exit, `launcher warnings and errors:\n${troubles.map((line) => JSON.stringify(line.entry)).join('\n')}`).toEqual({ code: 0, signal: null });
    expect(running.lines.some(launcherSaid('stopped'))).toBe(true);
    // Nothing was left running: the store's port is free again.
    await expect(listenOnce(port)).resolves.toBeUndefined();
  });

  it('starts nothing and exits 0 on a Ctrl-C that comes while it is still loading', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { LOG_LEVEL: 'debug', EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`, SPILLWAY_DATA_DIR: dataDir };
    const { launcher: running } = await startLauncher(['--no-example'], env);

    await running.waitForLine(launcherSaid('loading'), 'the launcher to load its modules');
    running.signal('SIGINT');
    expect(await exitWithin(running, stopWithinMs, 'the launcher')).toEqual({ code: 0, signal: null });
    expect(running.lines.find(launcherSaid('stopped before starting anything'))?.entry['signal']).toBe('SIGINT');
    expect(running.lines.some(launcherSaid('starting'))).toBe(false);
    expect(running.lines.filter((line) => line.source !== undefined)).toEqual([]);
  });

  it('stops everything with a non-zero exit when a process dies, restarting nothing', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { launcher: running, pids } = await startLauncher(['--no-example'], {
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
      SPILLWAY_EXAMPLE: 'false',
    });
    for (const name of services) await running.waitForLine(startedAndConnected(name), `${name} to start`);
    expect(running.lines.some(launcherSaid('store listening'))).toBe(false);
    expect(running.lines.some((line) => line.source === 'example-receiver' || line.source === 'spillway')).toBe(false);
    expect(pids()).toHaveLength(services.length);

    running.signal('SIGINT');
    const exit = await exitWithin(running, stopWithinMs, 'the launcher');
    const troubles = running.lines.filter((line) => line.entry['level'] === 'warn' || line.entry['level'] === 'error');
    expect(exit, `warnings and errors while stopping:\n${troubles.map((line) => JSON.stringify(line)).join('\n')}`).toEqual({ code: 0, signal: null });
    expect(pids().filter(isRunning)).toEqual([]);
  });

  it('with the example: a sample profile is printed by the example receiver, and a restart applies nothing new and re-sends nothing', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'spillway-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`, SPILLWAY_DATA_DIR: dataDir, ...(await exampleOnFreePort(cleanups)) };
    const first = (await startLauncher([], env)).launcher;
    await first.waitForLine(launcherSaid('example configuration applied'), 'the example configuration');
    // The CLI's lines come through the launcher's stdout, its own through stderr: either pipe may be read first.
    for (const kind of ['audience vip-customers', 'destination example-receiver', 'dataflow vip-to-example-receiver', 'alerts vip-to-example-receiver']) {
      await first.waitForLine(cliSaid(`${kind}: created`), `the CLI to say ${kind} was created`);
    }

    const sample = await runToEnd(cli, ['ingest', 'sample', '--profiles', '1', '--json'], { ...process.env, ...env });
    expect(sample.code).toBe(0);
    const [profile] = (JSON.parse(sample.stdout) as { profiles: { firstName: string; email: string; ecid: string }[] }).profiles;
    const printed = await first.waitForLine((line) => line.source === 'example-receiver' && line.entry['method'] === 'POST', 'the export to be printed');
    expect(printed.entry).toMatchObject({
      path: '/exports?source=spillway',
      exportHeaders: { 'x-export-sequence': '2' },
      auth: 'none',
      document: { personalEmail: { address: profile?.email }, identityMap: { ecid: [{ id: profile?.ecid }] } },
    });
    first.signal('SIGINT');
    expect(await exitWithin(first, stopWithinMs, 'the launcher')).toEqual({ code: 0, signal: null });

    const second = (await startLauncher([], env)).launcher;
    await second.waitForLine(launcherSaid('example configuration applied'), 'the example configuration again');
    await second.waitForLine((line) => line.source === 'spillway' && /: 0 created, 0 updated, 4 unchanged$/.test(line.text), 'the CLI to say nothing changed');
    const shown = await runToEnd(cli, ['dataflows', 'show', 'vip-to-example-receiver'], { ...process.env, ...env });
    expect(shown.stdout).toMatch(/counts: received 3, exported 1, delivered 1, failed 0, superseded 0, dead-lettered 0, latency p50 \d+ ms, p95 \d+ ms/);
    second.signal('SIGINT');
    expect(await exitWithin(second, stopWithinMs, 'the launcher')).toEqual({ code: 0, signal: null });
    expect(second.lines.some((line) => line.source === 'example-receiver' && line.entry['method'] === 'POST')).toBe(false);
    // Two full starts and stops of six processes on a busy 2-core machine: room beyond the default 30 s.
  }, 60_000);
});

/** Resolves once a server could listen on 127.0.0.1:port (and has closed again); rejects when something else holds it. */
function listenOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
