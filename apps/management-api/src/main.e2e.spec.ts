import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startService } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const main = new URL('./main.ts', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spillway-api-e2e-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('spillway-api as a process', () => {
  it('creates a key with api-keys create, serves it on SPILLWAY_API_PORT, and stops cleanly on SIGTERM', async () => {
    const keysFile = join(dir, 'api-keys.json');
    const created = await run(process.execPath, [main, 'api-keys', 'create', '--name', 'reader', '--permissions', 'view-destinations', '--keys-file', keysFile]);
    const key = created.stdout.trim();
    const api = await startService('management-api', { EVENTSTORE_CONNECTION_STRING: inject('eventstoreConnectionString'), SPILLWAY_API_PORT: '0', SPILLWAY_API_KEYS_FILE: keysFile });
    try {
      const url = String(api.started['url']);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/destinations`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      const refused = await fetch(`${url}/audiences`, { headers: { authorization: `Bearer ${key}` } });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(api.logs())).not.toContain(key);
    } finally {
      expect(await api.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('keeps keys in ./api-keys.json by default, the file the API reads without SPILLWAY_API_KEYS_FILE', async () => {
    const env = { ...process.env };
    delete env['SPILLWAY_API_KEYS_FILE'];
    const created = await run(process.execPath, [main, 'api-keys', 'create', '--name', 'default-file', '--permissions', 'view-destinations'], { cwd: dir, env });
    const key = created.stdout.trim();
    const stored = JSON.parse(await readFile(join(dir, 'api-keys.json'), 'utf8')) as unknown;
    expect(JSON.stringify(stored)).toContain('default-file');
    expect(JSON.stringify(stored)).not.toContain(key);
  });
});
