import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endWithThisProcess } from './end-with-this-process.ts';
import { onOutputLines } from './output-lines.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const keptLines = 5_000;

/** One JSON log line of a service (non-JSON output is kept as `{ level: 'raw', message }`). */
export interface ServiceLogEntry {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  /** The app folder: `profile-projector`, `export-decider`, `delivery-agent`. */
  readonly name: string;
  readonly pid: number;
  /** Its `started` log line. */
  readonly started: ServiceLogEntry;
  /** Settles once the process has exited (its output read to the end). */
  readonly exited: Promise<ServiceExit>;
  /** The log lines so far (the last few thousand). */
  logs(): readonly ServiceLogEntry[];
  /** Resolves with the first line (so far or to come) that matches; rejects after `timeoutMs` or if the process exits first. */
  waitForLog(matches: (entry: ServiceLogEntry) => boolean, what: string, timeoutMs?: number): Promise<ServiceLogEntry>;
  /** SIGTERM, then waits for the exit; SIGKILL and a rejection if it takes longer than `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ServiceExit>;
  /** SIGKILL (as a crash would), then waits for the exit. */
  kill(): Promise<ServiceExit>;
}

export class ServiceProcessError extends Error {
  readonly type = 'service-process-error';
  readonly service: string;
  readonly logs: readonly ServiceLogEntry[];
  constructor(service: string, message: string, logs: readonly ServiceLogEntry[]) {
    super(`${service}: ${message}\n${logs.slice(-30).map((entry) => JSON.stringify(entry)).join('\n')}`);
    this.name = 'ServiceProcessError';
    this.service = service;
    this.logs = logs;
  }
}

/**
 * Runs `apps/<name>/src/main.ts` with this Node as a real process, its environment being this
 * process's plus `env`, and resolves once it logs `started`.
 */
export async function startService(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly startTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'apps', name, 'src', 'main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  endWithThisProcess(child);
  const lines: ServiceLogEntry[] = [];
  const listeners = new Set<() => void>();
  const collect = (parts: readonly string[]) => {
    for (const part of parts) if (part.trim() !== '') lines.push(parseLine(part));
    if (lines.length > keptLines) lines.splice(0, lines.length - keptLines);
    for (const listener of listeners) listener();
  };
  onOutputLines(child.stdout, collect);
  onOutputLines(child.stderr, collect);
  let exit: ServiceExit | undefined;
  const exited = new Promise<ServiceExit>((resolve) =>
    child.once('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const listener of listeners) listener();
    }),
  );

  const waitForLog = (matches: (entry: ServiceLogEntry) => boolean, what: string, timeoutMs = 20_000) =>
    new Promise<ServiceLogEntry>((resolve, reject) => {
      const check = () => {
        const found = lines.find(matches);
        if (found) return finish(() => resolve(found));
        if (exit) finish(() => reject(new ServiceProcessError(name, `exited (${JSON.stringify(exit)}) before ${what}`, lines)));
      };
      const timer = setTimeout(() => finish(() => reject(new ServiceProcessError(name, `no ${what} within ${timeoutMs} ms`, lines))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  const signal = async (sent: NodeJS.Signals, timeoutMs: number): Promise<ServiceExit> => {
    if (!exit) child.kill(sent);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ServiceProcessError(name, `still running ${timeoutMs} ms after ${sent}`, lines));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const started = await waitForLog((entry) => entry.message === 'started', 'started line', options.startTimeoutMs ?? 30_000);
    return {
      name,
      pid: child.pid!,
      started,
      exited,
      logs: () => [...lines],
      waitForLog,
      stop: (timeoutMs = 15_000) => signal('SIGTERM', timeoutMs),
      kill: () => signal('SIGKILL', 15_000),
    };
  } catch (error) {
    if (!exit) child.kill('SIGKILL');
    throw error;
  }
}

function parseLine(text: string): ServiceLogEntry {
  if (text.startsWith('{')) {
    try {
      const entry = JSON.parse(text) as Record<string, unknown>;
      if (typeof entry['message'] === 'string') return { level: String(entry['level'] ?? ''), ...entry, message: entry['message'] };
    } catch {
      // not JSON after all: kept raw below
    }
  }
  return { level: 'raw', message: text };
}
