import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./testing/signalled-while-loading.ts', import.meta.url));

function run(mode: 'hold' | 'no-hold'): Promise<{ code: number | null; signal: NodeJS.Signals | null; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, mode], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the process did not stop on the SIGTERM it got while loading; its log:\n${stderr}`));
    }, 10_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const messages = stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => String((JSON.parse(line) as { message: unknown }).message));
      resolve({ code, signal, messages });
    });
  });
}

describe('a SIGTERM while the service loads its modules', () => {
  it('given no held signals, when it arrives, then the default action kills the process', async () => {
    expect(await run('no-hold')).toEqual({ code: null, signal: 'SIGTERM', messages: [] });
  });

  it('given the signals are held, when onShutdown is registered, then it stops the process cleanly with that signal', async () => {
    const { code, signal, messages } = await run('hold');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
  });
});
