import type { SecretSources } from '@spillway/delivery';
import type { DestinationConfig } from '@spillway/xdm';
import { describe, expect, it } from 'vitest';
import { resolveDestination } from './resolve-destination.ts';

const files: Record<string, string> = { '/run/secrets/token': 'tok-file\n' };
const secrets: SecretSources = {
  env: { TOKEN: 'tok-env', EMPTY: '' },
  readFile: (path) => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return content;
  },
};

const destination = (overrides: Partial<DestinationConfig> = {}): DestinationConfig => ({
  destinationId: 'd1',
  name: 'Acme',
  endpoint: 'https://acme.example/in',
  auth: { type: 'none' },
  includeSegmentNames: false,
  includeSegmentTimestamps: false,
  ...overrides,
});

describe('resolveDestination', () => {
  it('builds the target with query, headers, timeout and a bearer token from the environment or a file', () => {
    expect(resolveDestination(destination({ queryParams: { a: '1' }, headers: { 'X-A': 'b' }, timeoutMs: 500, auth: { type: 'bearer', token: 'env:TOKEN' } }), secrets)).toEqual({
      usable: true,
      target: { endpoint: 'https://acme.example/in', queryParams: { a: '1' }, headers: { 'X-A': 'b' }, secretHeaders: [], auth: { type: 'bearer', token: 'tok-env' }, timeoutMs: 500 },
    });
    expect(resolveDestination(destination({ auth: { type: 'bearer', token: 'file:/run/secrets/token' } }), secrets)).toMatchObject({
      usable: true,
      target: { auth: { type: 'bearer', token: 'tok-file' }, timeoutMs: 2_000 },
    });
  });

  it.each([
    ['env:MISSING', 'auth: secret env:MISSING is not set'],
    ['env:EMPTY', 'auth: secret env:EMPTY is empty'],
    ['file:/run/secrets/absent', 'auth: secret file:/run/secrets/absent does not exist'],
  ])('given a bearer token %s that cannot be resolved, is unusable: %s', (token, reason) => {
    expect(resolveDestination(destination({ auth: { type: 'bearer', token } }), secrets)).toEqual({ usable: false, reason });
  });

  it('given an OAuth kind, resolves its client secret and password, and names the one that is missing', () => {
    const auth = { type: 'oauth2-password', tokenUrl: 'https://acme.example/token?tenant=eu&v=2', clientId: 'c', clientSecret: 'env:TOKEN', username: 'u', password: 'file:/run/secrets/token' } as const;
    expect(resolveDestination(destination({ auth }), secrets)).toMatchObject({
      usable: true,
      target: { auth: { ...auth, clientSecret: 'tok-env', password: 'tok-file', credentialsType: 'body-form', extraTokenParams: {} } },
    });
    expect(resolveDestination(destination({ auth: { ...auth, password: 'env:MISSING' } }), secrets)).toEqual({ usable: false, reason: 'auth: secret env:MISSING is not set' });
  });

  it('given mTLS switched on, is unusable rather than sending without the certificate', () => {
    expect(resolveDestination(destination({ mtls: { enabled: true } }), secrets)).toMatchObject({ usable: false, reason: expect.stringContaining('mTLS') });
  });

  it('given mTLS switched on and the agent having a client certificate, is usable; without one, says why', () => {
    expect(resolveDestination(destination({ mtls: { enabled: true } }), secrets, { available: true })).toMatchObject({ usable: true });
    expect(resolveDestination(destination({ mtls: { enabled: true } }), secrets, { available: false, reason: 'its key file cannot be read' })).toEqual({
      usable: false,
      reason: 'mTLS is switched on, but its key file cannot be read',
    });
  });

  it('given a custom header the delivery side reserves, names the header', () => {
    expect(resolveDestination(destination({ headers: { Authorization: 'Basic abc' } }), secrets)).toEqual({
      usable: false,
      reason: 'headers.Authorization: header "Authorization" is set by Spillway and cannot be a custom header',
    });
  });
});
