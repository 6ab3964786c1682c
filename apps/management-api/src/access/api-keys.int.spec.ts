import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createKeyring, hashApiKey, readKeysFile } from './api-keys.ts';
import { createKeyCommand } from './create-key-command.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spillway-keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('API keys', () => {
  it('stores only the SHA-256 of a new key, and the keyring knows the key and its permissions', async () => {
    const file = join(dir, 'keys-a.json');
    const key = await createApiKey(file, 'ci', ['view-destinations', 'view-profiles'], new Date('2024-05-01T10:00:00Z'));
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(key);
    expect((await readKeysFile(file)).keys).toEqual([{ name: 'ci', sha256: hashApiKey(key), permissions: ['view-destinations', 'view-profiles'], createdAt: '2024-05-01T10:00:00.000Z' }]);
    const keyring = createKeyring(file);
    expect(await keyring.authenticate(key)).toEqual({ name: 'ci', permissions: new Set(['view-destinations', 'view-profiles']) });
    expect(await keyring.authenticate(`${key}x`)).toBeUndefined();
    // A key created while the keyring is in use is known at once.
    const second = await createApiKey(file, 'ops', ['manage-destinations'], new Date());
    expect((await keyring.authenticate(second))?.name).toBe('ops');
  });

  it('api-keys create prints the key once, refuses unknown permissions and a name used twice', async () => {
    const keysFile = join(dir, 'keys-b.json');
    const created = await createKeyCommand(['create'], { name: 'admin', permissions: 'view-destinations,manage-destinations', keysFile });
    expect(created.exitCode).toBe(0);
    expect(created.output).toMatch(/^spw_[A-Za-z0-9_-]{43}$/);
    expect(await createKeyCommand(['create'], { name: 'x', permissions: 'delete-everything', keysFile })).toMatchObject({ exitCode: 2, output: expect.stringContaining("unknown permission 'delete-everything'") });
    expect(await createKeyCommand(['create'], { name: 'admin', permissions: 'view-profiles', keysFile })).toMatchObject({ exitCode: 1, output: expect.stringContaining("'admin' exists already") });
    expect(await createKeyCommand(['create'], { name: undefined, permissions: undefined, keysFile })).toMatchObject({ exitCode: 2 });
  });
});
