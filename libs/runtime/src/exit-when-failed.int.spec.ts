import { fileURLToPath } from 'node:url';
import { runScriptToEnd } from '@spillway/testing';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./testing/main-loop-ending.ts', import.meta.url));

async function run(ending: 'resolve' | 'reject'): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const { exitCode, stderr } = await runScriptToEnd(fixture, [ending], { cwd: process.cwd(), env: process.env });
  const lines = stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code: exitCode, lines };
}

describe("exitWhenFailed: a service's main loop ending", () => {
  it('given it ends cleanly, then it logs "<what> stopped" with its figures and the process ends by itself (exit 0)', async () => {
    const { code, lines } = await run('resolve');
    expect(code).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', message: 'worker stopped', counts: { handled: 3 } })]);
  });

  it('given it fails, then it logs "<what> failed, exiting" with the error and exits 1 at once', async () => {
    const { code, lines } = await run('reject');
    expect(code).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', message: 'worker failed, exiting', error: expect.objectContaining({ message: 'the subscription broke' }) })]);
  });
});
