import { spawn, type ChildProcess } from 'node:child_process';
import { forwardLines } from './line-prefixer.ts';

export interface ChildSpec {
  readonly name: string;
  /** Script run with this same Node (`process.execPath`). */
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface ChildExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningChild {
  readonly name: string;
  readonly pid: number | undefined;
  /** Settles when the process has exited, however it ended. */
  readonly exited: Promise<ChildExit>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs: number): Promise<ChildExit>;
  /** SIGKILL now (last resort). */
  kill(): void;
}

/**
 * Starts a Node child whose output is forwarded with a `[name] ` prefix. It runs in its own
 * process group, so a Ctrl-C in the terminal reaches only the launcher, which stops the
 * children in order (services before the store).
 */
const running = new Set<ChildProcess>();
// Children live in their own process groups, so they would outlive a launcher that dies on an
// unexpected error; on any exit of the launcher, whatever still runs is told to stop.
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

export function startChild(spec: ChildSpec): RunningChild {
  const child = spawn(process.execPath, [spec.script, ...(spec.args ?? [])], {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${spec.name}] `;
  forwardLines(child.stdout, process.stdout, prefix);
  forwardLines(child.stderr, process.stderr, prefix);
  const exited = new Promise<ChildExit>((resolve) => {
    // 'close' rather than 'exit': by then the child's last output lines have been forwarded.
    child.once('close', (code, signal) => resolve({ name: spec.name, code, signal }));
    child.once('error', () => resolve({ name: spec.name, code: null, signal: null }));
  });
  let finished = false;
  running.add(child);
  void exited.then(() => {
    finished = true;
    running.delete(child);
  });
  const send = (signal: NodeJS.Signals) => {
    if (!finished) child.kill(signal);
  };
  return {
    name: spec.name,
    pid: child.pid,
    exited,
    kill: () => send('SIGKILL'),
    async stop(graceMs) {
      send('SIGTERM');
      const timer = setTimeout(() => send('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
