import { readFileSync } from 'node:fs';
import { createTestPki, httpsReceiverOptions, testClientCommonName, type TestPki } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';
import { loadAgentConnections, type AgentConnections } from './agent-connections.ts';
import { parseConnectionSettings } from './connection-settings.ts';

// The agent with its connection settings as main reads them from the environment, against real
// TLS receivers on loopback made with a PKI generated for this file.
let pki: TestPki;
let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));

beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(() => pki?.remove());

function connectionsFrom(env: Record<string, string>): Promise<AgentConnections> {
  const settings = parseConnectionSettings({ SPILLWAY_AGENT_HTTP_PORT: 'off', ...env });
  return loadAgentConnections(settings, { env, readFile: (path) => readFileSync(path, 'utf8') });
}

const withCertificate = () => ({
  SPILLWAY_CLIENT_CERT_FILE: pki.client.certFile,
  SPILLWAY_CLIENT_KEY_FILE: pki.encryptedClientKey.keyFile,
  SPILLWAY_CLIENT_KEY_PASSPHRASE: 'env:TEST_KEY_PASSPHRASE',
  TEST_KEY_PASSPHRASE: pki.encryptedClientKey.passphrase,
  SPILLWAY_CA_FILE: pki.ca.certFile,
});

/** One destination and one export to it; resolves with its outcome. */
async function exportTo(endpoint: string, options: { mtls?: boolean; label: string; profileId?: string }) {
  const destinationId = world.id(`dest-${options.label}`);
  const dataflowId = world.id(`df-${options.label}`);
  await world.configureDestination({ destinationId, endpoint, auth: { type: 'none' }, ...(options.mtls ? { mtls: { enabled: true } } : {}) });
  await world.requestExport({ dataflowId, destinationId, profileId: options.profileId ?? 'p-1', sequence: 1 });
  return dataflowId;
}

describe('delivery agent: mTLS', () => {
  it('presents the client certificate with mTLS on, to an endpoint that requires it and to one that only requests it, and none with mTLS off', async () => {
    const requiring = await receiver({ https: httpsReceiverOptions(pki, 'required') });
    const requesting = await receiver({ https: httpsReceiverOptions(pki, 'requested') });
    const plain = await receiver({ https: httpsReceiverOptions(pki, 'requested') });
    const flows = [
      await exportTo(`${requiring.url}/in`, { mtls: true, label: 'requires' }),
      await exportTo(`${requesting.url}/in`, { mtls: true, label: 'requests' }),
      await exportTo(`${plain.url}/in`, { mtls: false, label: 'plain' }),
    ];

    world.startAgent({ connections: await connectionsFrom(withCertificate()) });
    for (const dataflowId of flows) expect((await world.waitForOutcomes(dataflowId, 1))[0]).toMatchObject({ type: 'ExportDelivered', data: { status: 200 } });

    for (const endpoint of [requiring, requesting]) {
      expect(endpoint.requests[0]?.clientCertificate).toMatchObject({ subject: { CN: testClientCommonName, O: 'Spillway' }, authorized: true });
    }
    expect(plain.requests[0]?.clientCertificate).toBeUndefined();
    expect(world.logs).toContainEqual(expect.objectContaining({ message: 'destination ready', mtls: true }));
  });

  it('fails the exports of an mTLS destination at once when the agent has no client certificate, while others deliver', async () => {
    const endpoint = await receiver({ https: httpsReceiverOptions(pki, 'requested') });
    const mtlsFlow = await exportTo(`${endpoint.url}/mtls`, { mtls: true, label: 'mtls' });
    const plainFlow = await exportTo(`${endpoint.url}/plain`, { mtls: false, label: 'plain' });

    world.startAgent({ connections: await connectionsFrom({ SPILLWAY_CA_FILE: pki.ca.certFile }) });
    const [failed] = await world.waitForOutcomes(mtlsFlow, 1);
    expect(failed).toMatchObject({
      type: 'ExportFailed',
      data: { attempts: 0, reason: expect.stringMatching(/is unusable: mTLS is switched on, but this delivery agent has no client certificate: set SPILLWAY_CLIENT_CERT_FILE and SPILLWAY_CLIENT_KEY_FILE$/) },
    });
    expect((await world.waitForOutcomes(plainFlow, 1))[0]?.type).toBe('ExportDelivered');
    expect(endpoint.requests.map((request) => request.path)).toEqual(['/plain']);
  });

  it('fails mTLS destinations with the reason when the client certificate cannot be loaded, quoting no secret', async () => {
    const endpoint = await receiver({ https: httpsReceiverOptions(pki, 'required') });
    const flow = await exportTo(`${endpoint.url}/in`, { mtls: true, label: 'wrong-passphrase' });
    const connections = await connectionsFrom({ ...withCertificate(), TEST_KEY_PASSPHRASE: 'not-the-passphrase' });
    expect(connections.clientCertificate.kind).toBe('unusable');

    world.startAgent({ connections });
    const [failed] = await world.waitForOutcomes(flow, 1);
    expect(failed?.data).toMatchObject({ attempts: 0, reason: expect.stringContaining("mTLS is switched on, but the agent's client certificate cannot be used: the client key file") });
    expect(JSON.stringify(failed)).not.toContain('not-the-passphrase');
    expect(endpoint.requests).toHaveLength(0);
  });

  it('does not send to an endpoint whose certificate is not signed by a trusted CA: one attempt, the TLS code named', async () => {
    const impostor = await receiver({ https: { key: pki.untrusted.server.key, cert: pki.untrusted.server.cert } });
    const flow = await exportTo(`${impostor.url}/in`, { mtls: true, label: 'impostor' });

    world.startAgent({ connections: await connectionsFrom(withCertificate()) });
    const [failed] = await world.waitForOutcomes(flow, 1);
    expect(failed).toMatchObject({
      type: 'ExportFailed',
      data: {
        attempts: 1,
        errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        reason: expect.stringMatching(/^the endpoint's TLS certificate was rejected with UNABLE_TO_VERIFY_LEAF_SIGNATURE \(.*SPILLWAY_CA_FILE\), which is not retried$/),
      },
    });
    expect(impostor.requests).toHaveLength(0);
  });

  it('names the TLS alert when an endpoint requires a client certificate and mTLS is off', async () => {
    const requiring = await receiver({ https: httpsReceiverOptions(pki, 'required') });
    const flow = await exportTo(`${requiring.url}/in`, { mtls: false, label: 'off' });

    world.startAgent({ connections: await connectionsFrom(withCertificate()) });
    const [failed] = await world.waitForOutcomes(flow, 1);
    expect(failed?.data).toMatchObject({
      attempts: 1,
      errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      reason: expect.stringContaining('it requires a client certificate: switch mTLS on for this destination'),
    });
  });
});

describe('delivery agent: egress addresses', () => {
  it('sends from the configured local addresses, in turn per new connection across destinations', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 200, delayMs: 50 }) });
    const flows = [await exportTo(`${endpoint.url}/a`, { label: 'a' }), await exportTo(`${endpoint.url}/b`, { label: 'b' })];
    // Another profile on each: exports of different profiles go side by side, on more connections.
    const destinationA = world.id('dest-a');
    await world.requestExport({ dataflowId: flows[0]!, destinationId: destinationA, profileId: 'p-2', sequence: 1 });

    world.startAgent({ connections: await connectionsFrom({ SPILLWAY_EGRESS_ADDRESSES: '127.0.0.2, 127.0.0.3' }) });
    await world.waitForOutcomes(flows[0]!, 2);
    await world.waitForOutcomes(flows[1]!, 1);

    const sources = new Set(endpoint.requests.map((request) => request.remoteAddress));
    expect(sources).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
  });
});
