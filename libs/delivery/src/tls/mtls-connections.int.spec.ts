import { createLogger } from '@spillway/runtime';
import { createTestPki, httpsReceiverOptions, startHttpReceiver, testClientCommonName, type TestPki } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverExport } from '../deliver.ts';
import { createHttpClient, type HttpClient } from '../http-client.ts';
import { deliveryTargetSchema } from '../target.ts';
import { createExportConnections } from './export-connections.ts';

// Real TLS over loopback: a receiver with the test PKI's server certificate, clients made the way
// the agent makes them for a destination with mTLS on or off.
let pki: TestPki;
const clients: HttpClient[] = [];
beforeAll(async () => {
  pki = await createTestPki();
});
afterAll(async () => {
  for (const client of clients) client.close();
  await pki?.remove();
});

function clientFor(mtls: boolean, settings: { withCertificate?: boolean; extraCa?: string } = {}): HttpClient {
  const connections = createExportConnections({
    extraCa: settings.extraCa ?? pki.ca.cert,
    ...(settings.withCertificate === false ? {} : { clientCertificate: { cert: pki.client.cert, key: pki.encryptedClientKey.key, passphrase: pki.encryptedClientKey.passphrase } }),
  });
  const client = createHttpClient(connections({ mtls }));
  clients.push(client);
  return client;
}

const post = (client: HttpClient, url: string) => client.got.post(`${url}/in`, { body: '{}' });

describe('export connections with mTLS', () => {
  it('present the client certificate to an endpoint that requires one, on every connection', async () => {
    await using receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'required') });
    const client = clientFor(true);
    const answers = await Promise.all([post(client, receiver.url), post(client, receiver.url), post(client, receiver.url)]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    expect(new Set(receiver.requests.map((request) => request.remotePort)).size).toBeGreaterThan(1);
    for (const request of receiver.requests) {
      expect(request.clientCertificate).toMatchObject({ subject: { CN: testClientCommonName, O: 'Spillway' }, authorized: true });
    }
  });

  it('present it to an endpoint that merely requests one too', async () => {
    await using receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'requested') });
    expect((await post(clientFor(true), receiver.url)).statusCode).toBe(200);
    expect(receiver.requests[0]?.clientCertificate).toMatchObject({ subject: { CN: testClientCommonName }, authorized: true });
  });

  it('present no certificate with mTLS off, even though the agent has one', async () => {
    await using receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'requested') });
    expect((await post(clientFor(false), receiver.url)).statusCode).toBe(200);
    expect(receiver.requests[0]?.clientCertificate).toBeUndefined();
  });

  it('fail, not retried and naming the TLS code, when the endpoint requires a certificate and mTLS is off', async () => {
    await using receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'required') });
    const outcome = await deliverExport(exportRequest, deliveryTargetSchema.parse({ endpoint: `${receiver.url}/in` }), { httpClient: clientFor(false), logger });
    expect(outcome).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', retryable: false });
    expect(receiver.requests).toHaveLength(0);
  });

  it('reject an endpoint whose certificate is not signed by a trusted CA: not retried, naming the TLS code', async () => {
    await using receiver = await startHttpReceiver({ https: { key: pki.untrusted.server.key, cert: pki.untrusted.server.cert } });
    const outcome = await deliverExport(exportRequest, deliveryTargetSchema.parse({ endpoint: `${receiver.url}/in` }), { httpClient: clientFor(true), logger });
    expect(outcome).toMatchObject({ kind: 'failed', failure: 'error', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', retryable: false });
    expect(receiver.requests).toHaveLength(0);
  });

  it('trust the extra CA in addition to the default ones, not instead of them', async () => {
    await using receiver = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'none') });
    // The untrusted CA as the only extra one: the test CA is then not trusted.
    const outcome = await deliverExport(exportRequest, deliveryTargetSchema.parse({ endpoint: `${receiver.url}/in` }), {
      httpClient: clientFor(false, { extraCa: pki.untrusted.ca.cert }),
      logger,
    });
    expect(outcome).toMatchObject({ kind: 'failed', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const connections = createExportConnections({ extraCa: pki.ca.cert })({ mtls: false });
    const trusted = connections.https?.ca as string[];
    expect(trusted.at(-1)).toBe(pki.ca.cert);
    expect(trusted.length).toBeGreaterThan(1);
  });
});

const logger = createLogger({ service: 'delivery-test', level: 'error', write: () => {} });
const exportRequest = { exportId: 'exp-tls', sequence: 1, dataflowId: 'df-tls', profileId: 'p-tls', destinationId: 'dest-tls', document: { a: 1 } };
