import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver } from './http-receiver.ts';
import { createTestPki, httpsReceiverOptions, testClientCommonName, type TestPki } from './tls-pki.ts';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki?.remove());

function handshake(port: number, tls: https.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .request({ host: '127.0.0.1', port, method: 'GET', agent: false, ...tls }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject)
      .end();
  });
}

describe('createTestPki', () => {
  it('signs a server certificate for 127.0.0.1 and localhost and a client certificate with the CA', () => {
    const ca = new X509Certificate(pki.ca.cert);
    const server = new X509Certificate(pki.server.cert);
    const client = new X509Certificate(pki.client.cert);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(client.subject).toContain(`CN=${testClientCommonName}`);
    expect(client.subjectAltName).toBe('DNS:spillway-test-client.example');
    expect(client.checkPrivateKey(createPrivateKey(pki.client.key))).toBe(true);
    expect(new X509Certificate(pki.untrusted.client.cert).verify(ca.publicKey)).toBe(false);
  });

  it('writes every certificate and key to its directory, and the client key also encrypted', () => {
    for (const file of [pki.ca.certFile, pki.server.certFile, pki.server.keyFile, pki.client.certFile, pki.client.keyFile, pki.untrusted.client.certFile]) {
      expect(file.startsWith(pki.dir)).toBe(true);
      expect(existsSync(file)).toBe(true);
    }
    expect(readFileSync(pki.client.certFile, 'utf8')).toBe(pki.client.cert);
    expect(() => createPrivateKey(pki.encryptedClientKey.key)).toThrow();
    const decrypted = createPrivateKey({ key: pki.encryptedClientKey.key, passphrase: pki.encryptedClientKey.passphrase });
    expect(new X509Certificate(pki.client.cert).checkPrivateKey(decrypted)).toBe(true);
  });

  it('makes a server that requires a client certificate refuse a client without one or with an untrusted one', async () => {
    await using receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'required') });
    expect(await handshake(receiver.port, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key })).toBe(200);
    await expect(handshake(receiver.port, { ca: pki.ca.cert })).rejects.toThrow();
    await expect(handshake(receiver.port, { ca: pki.ca.cert, cert: pki.untrusted.client.cert, key: pki.untrusted.client.key })).rejects.toThrow();
    expect(receiver.requests).toHaveLength(1);
  });

  it('gives a server certificate of the untrusted CA that a client of the test CA rejects', async () => {
    const server = https.createServer({ key: pki.untrusted.server.key, cert: pki.untrusted.server.cert }, (_request, response) => response.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await expect(handshake((server.address() as AddressInfo).port, { ca: pki.ca.cert })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      server.close();
    }
  });
});
