import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@spillway/runtime';
import { startHttpReceiver } from '@spillway/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { deliverExport } from './deliver.ts';
import { resolveDeliveryTarget, UnsupportedAuthError } from './resolve-target.ts';
import { SecretResolutionError, resolveSecret, type SecretSources } from './secrets.ts';

const directory = mkdtempSync(join(tmpdir(), 'spillway-secrets-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const logger = createLogger({ service: 'delivery-test', write: () => undefined });
const request = { exportId: 'e-1', sequence: 1, dataflowId: 'df', profileId: 'p', destinationId: 'd', document: {} };
const realSources = (env: NodeJS.ProcessEnv = process.env): SecretSources => ({ env, readFile: (path) => readFileSync(path, 'utf8') });

describe('secret references resolved from the real environment and file system', () => {
  it('sends a bearer token read from a file (trailing newline trimmed)', async () => {
    const tokenFile = join(directory, 'token');
    writeFileSync(tokenFile, 'tok-from-file\n');
    await using receiver = await startHttpReceiver();

    const target = resolveDeliveryTarget({ endpoint: receiver.url, auth: { type: 'bearer', token: `file:${tokenFile}` } }, realSources());
    await deliverExport(request, target, { logger });

    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer tok-from-file');
  });

  it('sends a bearer token read from an environment variable', async () => {
    await using receiver = await startHttpReceiver();

    const target = resolveDeliveryTarget(
      { endpoint: receiver.url, auth: { type: 'bearer', token: 'env:SPILLWAY_TEST_TOKEN' } },
      realSources({ ...process.env, SPILLWAY_TEST_TOKEN: 'tok-from-env' }),
    );
    await deliverExport(request, target, { logger });

    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer tok-from-env');
  });

  it('names the missing variable or file', () => {
    expect(() => resolveSecret('env:SPILLWAY_SURELY_UNSET', realSources())).toThrow(new SecretResolutionError('env', 'SPILLWAY_SURELY_UNSET', 'is not set'));
    const missing = join(directory, 'nope');
    expect(() => resolveDeliveryTarget({ endpoint: 'http://127.0.0.1:1', auth: { type: 'bearer', token: `file:${missing}` } }, realSources())).toThrow(
      `secret file:${missing} does not exist`,
    );
  });

  it.skipIf(process.getuid?.() === 0)('says when a file cannot be read', () => {
    const locked = join(directory, 'locked');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    expect(() => resolveSecret(`file:${locked}`, realSources())).toThrow(`secret file:${locked} is not readable (permission denied)`);
  });

  it('resolves the client secret and password of the OAuth kinds, defaulting the password grant to body credentials', () => {
    const passwordFile = join(directory, 'password');
    writeFileSync(passwordFile, 'pa:ss\n');
    const target = resolveDeliveryTarget(
      {
        endpoint: 'http://127.0.0.1:1',
        auth: { type: 'oauth2-password', tokenUrl: 'http://127.0.0.1:1/token', clientId: 'c', clientSecret: 'env:SPILLWAY_TEST_CS', username: 'u', password: `file:${passwordFile}` },
      },
      realSources({ SPILLWAY_TEST_CS: 'cs-value' }),
    );
    expect(target.auth).toEqual({
      type: 'oauth2-password',
      tokenUrl: 'http://127.0.0.1:1/token',
      clientId: 'c',
      clientSecret: 'cs-value',
      username: 'u',
      password: 'pa:ss',
      credentialsType: 'body-form',
      extraTokenParams: {},
    });
  });

  it('refuses an auth kind this agent does not know', () => {
    const auth = { type: 'kerberos' } as unknown as Parameters<typeof resolveDeliveryTarget>[0]['auth'];
    expect(() => resolveDeliveryTarget({ endpoint: 'http://127.0.0.1:1', auth }, realSources())).toThrow(UnsupportedAuthError);
  });
});
