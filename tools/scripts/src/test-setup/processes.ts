import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { endWithThisProcess, onOutputLines, runScriptToEnd } from '@spillway/testing';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface LogLine {
  /** `[name] ` prefix the launcher put on a child's line, or undefined for the process's own lines. */
  readonly source: string | undefined;
  /** The JSON object of the line; `{}` for a text line (the CLI's output). */
  readonly entry: Readonly<Record<string, unknown>>;
  /** The line after the prefix. */
  readonly text: string;
}

export interface NodeProcess {
  readonly pid: number;
  readonly lines: LogLine[];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  waitForLine(matches: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  signal(signal: NodeJS.Signals): void;
}

/** Runs a script with this Node, collecting its JSON log lines (prefixed or not) from stdout and stderr. */
export function runNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv): NodeProcess {
  const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  endWithThisProcess(child);
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const collect = (parts: readonly string[]) => {
    for (const part of parts) {
      const line = parseLine(part);
      if (line) lines.push(line);
    }
    for (const wake of waiters) wake();
  };
  onOutputLines(child.stdout, collect);
  onOutputLines(child.stderr, collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid!,
    lines,
    exited,
    signal: (signal) => void child.kill(signal),
    waitForLine: (matches, what, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(matches);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; saw:\n${lines.map((line) => JSON.stringify(line)).join('\n')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exited.then(check);
        check();
      }),
  };
}

function parseLine(line: string): LogLine | undefined {
  const match = /^(?:\[([a-z-]+)\] )?(.*?)\s*$/.exec(line);
  const text = match?.[2] ?? '';
  if (!match || text === '') return undefined;
  if (!text.startsWith('{')) return match[1] ? { source: match[1], entry: {}, text } : undefined;
  try {
    return { source: match[1], entry: JSON.parse(text) as Record<string, unknown>, text };
  } catch {
    return undefined;
  }
}

/** Settles with the exit, or rejects if the process is still running after `ms`. */
export async function exitWithin(process: NodeProcess, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still running ${ms} ms after the signal`)), ms);
  });
  try {
    return await Promise.race([process.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface TextRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script to its end and returns its whole output (for the CLI, whose output is text). */
export async function runToEnd(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<TextRun> {
  const { exitCode, stdout, stderr } = await runScriptToEnd(script, args, { cwd: repoRoot, env });
  return { code: exitCode, stdout, stderr };
}
