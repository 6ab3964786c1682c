import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createTestPki, testClientCommonName, type TestPki } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretSources } from '../secrets.ts';
import { describeCertificate } from './certificate-info.ts';
import { clientCertificateAvailability, loadClientCertificate } from './client-certificate.ts';

let pki: TestPki;
let sources: SecretSources;
beforeAll(async () => {
  pki = await createTestPki({ now: new Date('2030-01-02T03:04:05Z'), validDays: 10 });
  sources = { env: { KEY_PASSPHRASE: pki.encryptedClientKey.passphrase, WRONG: 'not-it' }, readFile: (path) => readFileSync(path, 'utf8') };
});
afterAll(() => pki?.remove());

describe('describeCertificate', () => {
  it('gives the PEM, common name, alternative names, validity and SHA-256 fingerprint', () => {
    const info = describeCertificate(pki.client.cert);
    expect(info).toMatchObject({
      commonName: testClientCommonName,
      subjectAltNames: ['DNS:spillway-test-client.example'],
      subject: `CN=${testClientCommonName}\nO=Spillway`,
      issuer: 'CN=Spillway Test CA\nO=Spillway',
      validFrom: '2030-01-02T02:04:05.000Z',
      validTo: '2030-01-12T03:04:05.000Z',
    });
    expect(info.pem).toBe(pki.client.cert);
    expect(info.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(describeCertificate(pki.server.cert).subjectAltNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1']);
  });

  it('refuses what is not a certificate', () => {
    expect(() => describeCertificate(pki.client.key)).toThrow(/not a PEM X.509 certificate/);
  });
});

describe('loadClientCertificate', () => {
  it('loads a certificate with its key, and with an encrypted key and its passphrase reference', () => {
    expect(loadClientCertificate({ certFile: pki.client.certFile, keyFile: pki.client.keyFile }, sources)).toMatchObject({
      kind: 'loaded',
      certificate: { cert: pki.client.cert, key: pki.client.key },
      info: { commonName: testClientCommonName },
    });
    const encrypted = loadClientCertificate({ certFile: pki.client.certFile, keyFile: pki.encryptedClientKey.keyFile, keyPassphrase: 'env:KEY_PASSPHRASE' }, sources);
    expect(encrypted).toMatchObject({ kind: 'loaded', certificate: { passphrase: pki.encryptedClientKey.passphrase } });
    expect(loadClientCertificate(undefined, sources)).toEqual({ kind: 'none' });
  });

  it.each([
    ['a missing certificate file', () => ({ certFile: join(pki.dir, 'absent.crt'), keyFile: pki.client.keyFile }), 'the client certificate file .*absent.crt cannot be read \\(ENOENT\\)'],
    ['a key file as the certificate', () => ({ certFile: pki.client.keyFile, keyFile: pki.client.keyFile }), 'holds no PEM certificate'],
    ['a key of another certificate', () => ({ certFile: pki.client.certFile, keyFile: pki.server.keyFile }), 'the key in .*server.key does not belong to the certificate'],
    ['an encrypted key without passphrase', () => ({ certFile: pki.client.certFile, keyFile: pki.encryptedClientKey.keyFile }), 'is encrypted: set SPILLWAY_CLIENT_KEY_PASSPHRASE'],
    ['a wrong passphrase', () => ({ certFile: pki.client.certFile, keyFile: pki.encryptedClientKey.keyFile, keyPassphrase: 'env:WRONG' }), 'or the passphrase does not decrypt it'],
    ['an unset passphrase reference', () => ({ certFile: pki.client.certFile, keyFile: pki.encryptedClientKey.keyFile, keyPassphrase: 'env:NOPE' }), 'the client key passphrase: secret env:NOPE is not set'],
  ])('given %s, is unusable with a reason that quotes no secret', (_label, files, reason) => {
    const state = loadClientCertificate(files(), sources);
    expect(state).toEqual({ kind: 'unusable', reason: expect.stringMatching(new RegExp(reason)) });
    const text = JSON.stringify(state);
    expect(text).not.toContain(pki.encryptedClientKey.passphrase);
    expect(text).not.toContain('not-it');
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('says why destinations with mTLS on cannot be served', () => {
    writeFileSync(join(pki.dir, 'empty.crt'), '');
    expect(clientCertificateAvailability({ kind: 'none' })).toEqual({ available: false, reason: expect.stringContaining('SPILLWAY_CLIENT_CERT_FILE') });
    expect(clientCertificateAvailability(loadClientCertificate({ certFile: join(pki.dir, 'empty.crt'), keyFile: pki.client.keyFile }, sources))).toEqual({
      available: false,
      reason: expect.stringMatching(/^the agent's client certificate cannot be used: the client certificate file .*empty.crt holds no PEM certificate$/),
    });
    expect(clientCertificateAvailability(loadClientCertificate({ certFile: pki.client.certFile, keyFile: pki.client.keyFile }, sources))).toEqual({ available: true });
  });
});
