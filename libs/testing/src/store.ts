import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { endWithThisProcess, removeWithThisProcess } from './end-with-this-process.ts';
import { onOutputLines } from './output-lines.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `esdb://...` of the store the suite runs against: EVENTSTORE_CONNECTION_STRING, or a store process started for the run. */
    eventstoreConnectionString: string;
  }
}

/** Resolved from this file, so it works whatever the current directory is. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const storeMain = join(repoRoot, 'apps', 'event-store', 'src', 'main.ts');
const startTimeoutMs = 30_000;
const stopTimeoutMs = 15_000;

export interface StartStoreOptions {
  /** Data directory; a fresh one under os.tmpdir() when omitted (none for the in-memory engine). */
  readonly dataDir?: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Use the in-memory engine instead of the durable one. */
  readonly inMemory?: boolean;
}

export interface StoreProcess {
  readonly connectionString: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /** The store's log lines so far (JSON), for diagnostics. */
  logs(): readonly string[];
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** Stops the process if it still runs, then starts a new one on the same data dir and port. */
  restart(): Promise<StoreProcess>;
  /** Deletes the data directory (only one this helper created). Call after the process has exited. */
  removeData(): Promise<void>;
}

export class StoreProcessError extends Error {
  readonly type = 'store-process-error';
  readonly logs: readonly string[];
  constructor(message: string, logs: readonly string[]) {
    super(`${message}\n${logs.slice(-20).join('\n')}`);
    this.name = 'StoreProcessError';
    this.logs = logs;
  }
}

/** Spawns `apps/event-store/src/main.ts` and resolves once it logs that it is listening. */
export async function startStoreProcess(options: StartStoreOptions = {}): Promise<StoreProcess> {
  const inMemory = options.inMemory ?? false;
  const ownsDataDir = options.dataDir === undefined && !inMemory;
  const dataDir = options.dataDir ?? (inMemory ? '' : await mkdtemp(join(tmpdir(), 'spillway-store-')));
  if (ownsDataDir) removeWithThisProcess(dataDir);
  return spawnStore({ dataDir, ownsDataDir, port: options.port ?? 0, inMemory });
}

interface SpawnPlan {
  readonly dataDir: string;
  readonly ownsDataDir: boolean;
  readonly port: number;
  readonly inMemory: boolean;
}

async function spawnStore(plan: SpawnPlan): Promise<StoreProcess> {
  const args = [storeMain, '--host', '127.0.0.1', '--port', String(plan.port), ...(plan.inMemory ? ['--in-memory'] : ['--data', plan.dataDir])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  endWithThisProcess(child);
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await waitForListening(child, logs, exited);
  const pid = child.pid!;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    return withTimeout(exited, stopTimeoutMs, () => {
      child.kill('SIGKILL');
      return new StoreProcessError(`store ${pid} did not exit within ${stopTimeoutMs} ms of SIGTERM`, logs);
    });
  };
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    dataDir: plan.dataDir,
    pid,
    logs: () => [...logs],
    stop,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      await stop();
      return spawnStore({ ...plan, port });
    },
    removeData: async () => {
      if (plan.ownsDataDir) await rm(plan.dataDir, { recursive: true, force: true });
    },
  };
}

function waitForListening(child: ChildProcess, logs: string[], exited: Promise<number | null>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const onLine = (line: string) => {
      logs.push(line);
      if (logs.length > 2_000) logs.splice(0, logs.length - 1_000);
      if (settled) return;
      const port = listeningPort(line);
      if (port !== undefined) {
        settled = true;
        clearTimeout(timer);
        resolve(port);
      }
    };
    // Both pipes are read for the life of the process, so a chatty store never blocks on a full pipe.
    onOutputLines(child.stderr!, (lines) => lines.forEach(onLine));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new StoreProcessError(`store did not report listening within ${startTimeoutMs} ms`, logs));
    }, startTimeoutMs);
    void exited.then((code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new StoreProcessError(`store exited with code ${code} before listening`, logs));
    });
  });
}

function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { message?: unknown; port?: unknown };
    return entry.message === 'listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * vitest globalSetup: runs the suite against EVENTSTORE_CONNECTION_STRING when set (e.g. a real
 * EventStoreDB node), otherwise against a store process started for the run and stopped after it.
 */
export async function storeGlobalSetup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['EVENTSTORE_CONNECTION_STRING'];
  if (external) {
    project.provide('eventstoreConnectionString', external);
    return async () => undefined;
  }
  const store = await startStoreProcess();
  project.provide('eventstoreConnectionString', store.connectionString);
  return async () => {
    await store.stop();
    await store.removeData();
  };
}
