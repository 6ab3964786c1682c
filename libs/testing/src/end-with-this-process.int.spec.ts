import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScriptToEnd } from './script-run.ts';

const fixture = fileURLToPath(new URL('./testing/exit-without-stop.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stillRunningAfter(pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const running = pids.filter(isRunning);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a script that exits without stopping the store and service it started', () => {
  const started: number[] = [];
  afterAll(() => {
    for (const pid of started.filter(isRunning)) process.kill(pid, 'SIGKILL');
  });

  it('given process.exit(0) right after starting them, then neither outlives it, and the store\'s temporary data directory is gone', async () => {
    const run = await runScriptToEnd(fixture, [], { cwd: repoRoot, env: { ...process.env } });
    expect(run.exitCode, run.stderr).toBe(0);
    const children = JSON.parse(run.stdout.trim()) as { store: number; service: number; dataDir: string };
    started.push(children.store, children.service);
    expect(children.dataDir).toMatch(/spillway-store-/);
    expect(await stillRunningAfter([children.store, children.service], 15_000)).toEqual([]);
    expect(existsSync(children.dataDir), children.dataDir).toBe(false);
  }, 60_000);
});
