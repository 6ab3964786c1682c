import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { endWithThisProcess, onOutputLines } from '@spillway/testing';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface DeciderProcess {
  readonly lines: Readonly<Record<string, unknown>>[];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  hasLogged(message: string): boolean;
}

/** Runs `src/main.ts` as its own process with this Node, collecting its JSON log lines. */
export function startDeciderProcess(env: Readonly<Record<string, string>>): DeciderProcess {
  const child = spawn(process.execPath, [main], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  endWithThisProcess(child);
  const lines: Record<string, unknown>[] = [];
  onOutputLines(child.stderr, (parts) => {
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    lines,
    exited,
    kill: (signal) => void child.kill(signal),
    hasLogged: (message) => lines.some((line) => line['message'] === message),
  };
}
