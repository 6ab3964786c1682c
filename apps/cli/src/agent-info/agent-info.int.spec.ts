import { X509Certificate } from 'node:crypto';
import { createTestPki, refusedUrl, startService, startStoreProcess, testClientCommonName, type ServiceProcess, type StoreProcess, type TestPki } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-process.ts';

// The CLI as a process against a real delivery agent process (on a store of its own, so it
// delivers nothing of the other tests'), with a PKI generated for this file.
let pki: TestPki;
let store: StoreProcess;
let agent: ServiceProcess;
let bareAgent: ServiceProcess;
const agentUrl = (service: ServiceProcess) => String(service.started['publicInfo']);

beforeAll(async () => {
  [pki, store] = await Promise.all([createTestPki(), startStoreProcess({ inMemory: true })]);
  const env = { EVENTSTORE_CONNECTION_STRING: store.connectionString, SPILLWAY_AGENT_HTTP_PORT: '0' };
  [agent, bareAgent] = await Promise.all([
    startService('delivery-agent', {
      ...env,
      SPILLWAY_CLIENT_CERT_FILE: pki.client.certFile,
      SPILLWAY_CLIENT_KEY_FILE: pki.client.keyFile,
      SPILLWAY_EGRESS_ADDRESSES: '127.0.0.2,127.0.0.3',
    }),
    startService('delivery-agent', env),
  ]);
});
afterAll(async () => {
  await Promise.all([agent?.stop(), bareAgent?.stop()]);
  await store?.stop();
  await pki?.remove();
});

describe('spillway certificate', () => {
  it('shows the certificate the agent presents: common name, alt names, validity, SHA-256 fingerprint and PEM', async () => {
    const expected = new X509Certificate(pki.client.cert);
    const run = await runCli(['certificate', '--agent-url', agentUrl(agent)]);
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      `common name:      ${testClientCommonName}`,
      'alt names:        DNS:spillway-test-client.example',
      `subject:          CN=${testClientCommonName}, O=Spillway`,
      'issuer:           CN=Spillway Test CA, O=Spillway',
      `serial number:    ${expected.serialNumber}`,
      `valid from:       ${expected.validFromDate.toISOString()}`,
      `valid to:         ${expected.validToDate.toISOString()}`,
      `SHA-256:          ${expected.fingerprint256}`,
    ]);
    expect(run.stdout).toContain(pki.client.cert);
  });

  it('prints the agent answer as JSON with --json, and the PEM alone with --pem', async () => {
    const json = await runCli(['certificate', '--agent-url', agentUrl(agent), '--json']);
    expect(JSON.parse(json.stdout)).toEqual(await (await fetch(`${agentUrl(agent)}/certificate`)).json());
    const pem = await runCli(['certificate', '--agent-url', agentUrl(agent), '--pem']);
    expect(pem.stdout).toBe(pki.client.cert);
  });

  it('reads a certificate file instead, with no agent involved', async () => {
    const fromFile = await runCli(['certificate', '--cert-file', pki.client.certFile, '--json', '--agent-url', 'http://127.0.0.1:9']);
    expect(fromFile.exitCode).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ commonName: testClientCommonName, fingerprintSha256: new X509Certificate(pki.client.cert).fingerprint256 });
    const notCertificate = await runCli(['certificate', '--cert-file', pki.client.keyFile]);
    expect(notCertificate).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('holds no PEM certificate') });
    expect(notCertificate.stderr).not.toContain('PRIVATE KEY');
  });

  it('says so when the agent has no client certificate (exit 1) or does not answer (exit 2)', async () => {
    const none = await runCli(['certificate', '--agent-url', agentUrl(bareAgent)]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe(`spillway: the delivery agent at ${agentUrl(bareAgent)} answered 404: this delivery agent has no client certificate configured (SPILLWAY_CLIENT_CERT_FILE, SPILLWAY_CLIENT_KEY_FILE), so it presents none\n`);
    const downUrl = await refusedUrl();
    const down = await runCli(['certificate', '--agent-url', downUrl]);
    expect(down.exitCode).toBe(2);
    expect(down.stderr).toContain(`spillway: cannot reach the delivery agent at ${downUrl} (ECONNREFUSED); is the delivery agent running?`);
  });
});

describe('spillway egress-addresses', () => {
  it('lists the addresses the agent sends from, one a line, or says none are configured', async () => {
    expect(await runCli(['egress-addresses', '--agent-url', agentUrl(agent)])).toMatchObject({ exitCode: 0, stdout: '127.0.0.2\n127.0.0.3\n' });
    expect(JSON.parse((await runCli(['egress-addresses', '--agent-url', agentUrl(agent), '--json'])).stdout)).toEqual({ addresses: ['127.0.0.2', '127.0.0.3'] });
    expect((await runCli(['egress-addresses', '--agent-url', agentUrl(bareAgent)])).stdout).toBe("none configured: export connections leave from the host's default address\n");
  });
});
