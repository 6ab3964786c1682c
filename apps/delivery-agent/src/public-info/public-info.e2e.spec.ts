import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { createTestPki, startService, startStoreProcess, testClientCommonName, type StoreProcess, type TestPki } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPublicInfoPort } from '../connections/connection-settings.ts';

// The agent as a real process, on a store of its own (a shared one would have it deliver other
// tests' exports), serving its public information over HTTP.
let pki: TestPki;
let store: StoreProcess;
beforeAll(async () => {
  [pki, store] = await Promise.all([createTestPki(), startStoreProcess({ inMemory: true })]);
});
afterAll(async () => {
  await store?.stop();
  await pki?.remove();
});

const agentEnv = (env: Record<string, string>) => ({ EVENTSTORE_CONNECTION_STRING: store.connectionString, SPILLWAY_AGENT_HTTP_PORT: '0', ...env });
const certificateEnv = () => ({
  SPILLWAY_CLIENT_CERT_FILE: pki.client.certFile,
  SPILLWAY_CLIENT_KEY_FILE: pki.encryptedClientKey.keyFile,
  SPILLWAY_CLIENT_KEY_PASSPHRASE: 'env:AGENT_KEY_PASSPHRASE',
  AGENT_KEY_PASSPHRASE: pki.encryptedClientKey.passphrase,
});

describe('delivery agent public information endpoint', () => {
  it('serves the client certificate (JSON and PEM) and the egress addresses', async () => {
    const agent = await startService('delivery-agent', agentEnv({ ...certificateEnv(), SPILLWAY_EGRESS_ADDRESSES: '127.0.0.2,127.0.0.3' }));
    try {
      const url = String(agent.started['publicInfo']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const certificate = await fetch(`${url}/certificate`);
      expect(certificate.status).toBe(200);
      expect(certificate.headers.get('content-type')).toBe('application/json');
      const expected = new X509Certificate(pki.client.cert);
      expect(await certificate.json()).toEqual({
        pem: pki.client.cert,
        commonName: testClientCommonName,
        subjectAltNames: ['DNS:spillway-test-client.example'],
        validFrom: expected.validFromDate.toISOString(),
        validTo: expected.validToDate.toISOString(),
        fingerprintSha256: expected.fingerprint256,
        subject: expected.subject,
        issuer: expected.issuer,
        serialNumber: expected.serialNumber,
      });

      const pem = await fetch(`${url}/certificate.pem`);
      expect(pem.headers.get('content-type')).toBe('application/x-pem-file');
      expect(await pem.text()).toBe(pki.client.cert);

      expect(await (await fetch(`${url}/egress-addresses`)).json()).toEqual({ addresses: ['127.0.0.2', '127.0.0.3'] });
      expect(agent.started).toMatchObject({ egressAddresses: ['127.0.0.2', '127.0.0.3'] });
      expect(agent.logs()).toContainEqual(expect.objectContaining({ message: 'client certificate loaded', commonName: testClientCommonName, fingerprintSha256: expected.fingerprint256 }));
      expect(JSON.stringify(agent.logs())).not.toContain(pki.encryptedClientKey.passphrase);
    } finally {
      expect(await agent.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('answers 404 with a clear message when no client certificate is configured', async () => {
    const agent = await startService('delivery-agent', agentEnv({}));
    try {
      const url = String(agent.started['publicInfo']);
      const answer = await fetch(`${url}/certificate`);
      expect(answer.status).toBe(404);
      expect(await answer.json()).toEqual({ error: 'no-client-certificate', message: expect.stringContaining('no client certificate configured') });
      expect((await fetch(`${url}/certificate.pem`)).status).toBe(404);
      expect(await (await fetch(`${url}/egress-addresses`)).json()).toEqual({ addresses: [] });
    } finally {
      await agent.stop();
    }
  });

  it('does not start on a port that was asked for and is taken, nor with an egress address this host does not have', async () => {
    await using taken = await occupy(0);
    await expect(startService('delivery-agent', agentEnv({ SPILLWAY_AGENT_HTTP_PORT: String(taken.port) }))).rejects.toThrow(
      /cannot serve the public certificate and egress addresses on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/,
    );
    await expect(startService('delivery-agent', agentEnv({ SPILLWAY_EGRESS_ADDRESSES: '203.0.113.7' }))).rejects.toThrow(
      "SPILLWAY_EGRESS_ADDRESSES: egress address '203.0.113.7' cannot be bound on this host (EADDRNOTAVAIL)",
    );
  });

  it('goes on delivering without the endpoint when its default port is taken, and says so', async () => {
    // Another agent on this host may hold the default port already: taken either way.
    await using _taken = await occupy(defaultPublicInfoPort).catch(() => ({ port: defaultPublicInfoPort, [Symbol.asyncDispose]: async () => {} }));
    const agent = await startService('delivery-agent', { EVENTSTORE_CONNECTION_STRING: store.connectionString, SPILLWAY_AGENT_HTTP_PORT: '' });
    try {
      expect(agent.started['publicInfo']).toBeNull();
      expect(agent.logs()).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('its default port is in use, set SPILLWAY_AGENT_HTTP_PORT') }));
    } finally {
      expect(await agent.stop()).toEqual({ code: 0, signal: null });
    }
  });
});

async function occupy(port: number): Promise<{ port: number; [Symbol.asyncDispose](): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
