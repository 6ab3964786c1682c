import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const mainPath = new URL('./main.ts', import.meta.url).pathname;

interface RunningReceiver {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdoutLines: string[];
}

let running: RunningReceiver | undefined;
afterEach(() => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

/** Starts main.ts as its own process on a free port; resolves once it logged where it listens. */
async function startReceiverProcess(): Promise<RunningReceiver> {
  const child = spawn(process.execPath, [mainPath], { env: { ...process.env, RECEIVER_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => stdoutLines.push(line));
  // Keep reading stderr for the whole life of the process so its pipe never fills up.
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const log = JSON.parse(line) as { message: string; url?: string };
      if (log.message === 'listening' && log.url) resolve(log.url);
    });
    child.once('exit', (code) => reject(new Error(`example receiver exited before listening (code ${code})`)));
  });
  running = { child, url, stdoutLines };
  return running;
}

describe('example-receiver process', () => {
  it('prints each export as one JSON line, lists them on GET /exports and exits 0 on SIGTERM', async () => {
    const { child, url, stdoutLines } = await startReceiverProcess();
    const document = { person: { name: { firstName: 'John' } }, identityMap: { ecid: [{ id: '1' }] } };

    const response = await fetch(`${url}/exports?tenant=acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-export-id': 'e-1', 'x-export-sequence': '7', authorization: 'Bearer s3cret' },
      body: JSON.stringify(document),
    });
    expect(response.status).toBe(200);

    const expected = {
      method: 'POST',
      path: '/exports?tenant=acme',
      exportHeaders: { 'x-export-id': 'e-1', 'x-export-sequence': '7' },
      auth: 'Bearer',
      document,
    };
    await expect.poll(() => stdoutLines.length).toBe(1);
    expect(JSON.parse(stdoutLines[0]!)).toMatchObject(expected);
    expect(stdoutLines[0]).not.toContain('s3cret');

    const listed = await fetch(`${url}/exports`);
    expect(await listed.json()).toMatchObject([expected]);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('answers 400 to a body that is not JSON and prints nothing for it', async () => {
    const { url, stdoutLines } = await startReceiverProcess();

    const response = await fetch(`${url}/in`, { method: 'POST', body: 'not json' });

    expect(response.status).toBe(400);
    expect(await (await fetch(`${url}/exports`)).json()).toEqual([]);
    expect(stdoutLines).toEqual([]);
  });
});
