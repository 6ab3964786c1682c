import type { CertificateInfo } from '@spillway/delivery';
import { describe, expect, it } from 'vitest';
import { answerPublicInfo, type PublicInfo } from './public-info-routes.ts';

const info: CertificateInfo = {
  pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  commonName: 'spillway-agent',
  subjectAltNames: ['DNS:agent.spillway.example'],
  subject: 'CN=spillway-agent\nO=Spillway',
  issuer: 'CN=Spillway CA',
  serialNumber: '0A',
  validFrom: '2030-01-01T00:00:00.000Z',
  validTo: '2031-01-01T00:00:00.000Z',
  fingerprintSha256: 'AB:CD',
};
const loaded: PublicInfo = { clientCertificate: { kind: 'loaded', certificate: { cert: info.pem, key: 'KEY' }, info }, egressAddresses: ['203.0.113.7', '203.0.113.8'] };
const body = (answer: { body: string }) => JSON.parse(answer.body) as unknown;

describe('public info routes', () => {
  it('GET /certificate gives the certificate and what identifies it, never the key', () => {
    const answer = answerPublicInfo('GET', '/certificate', loaded);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json');
    expect(body(answer)).toEqual({
      pem: info.pem,
      commonName: 'spillway-agent',
      subjectAltNames: ['DNS:agent.spillway.example'],
      validFrom: '2030-01-01T00:00:00.000Z',
      validTo: '2031-01-01T00:00:00.000Z',
      fingerprintSha256: 'AB:CD',
      subject: 'CN=spillway-agent\nO=Spillway',
      issuer: 'CN=Spillway CA',
      serialNumber: '0A',
    });
    expect(answer.body).not.toContain('KEY');
  });

  it('GET /certificate.pem gives the PEM alone', () => {
    expect(answerPublicInfo('GET', '/certificate.pem', loaded)).toEqual({ status: 200, contentType: 'application/x-pem-file', body: info.pem });
  });

  it('without a client certificate, 404 saying none is configured; with one that cannot be used, 503 without the why', () => {
    const none = answerPublicInfo('GET', '/certificate', { clientCertificate: { kind: 'none' }, egressAddresses: [] });
    expect(none.status).toBe(404);
    expect(body(none)).toEqual({ error: 'no-client-certificate', message: expect.stringContaining('has no client certificate configured (SPILLWAY_CLIENT_CERT_FILE') });
    expect(answerPublicInfo('GET', '/certificate.pem', { clientCertificate: { kind: 'none' }, egressAddresses: [] }).status).toBe(404);
    const unusable = answerPublicInfo('GET', '/certificate', { clientCertificate: { kind: 'unusable', reason: 'the key in /etc/secret/x.key ...' }, egressAddresses: [] });
    expect(unusable.status).toBe(503);
    expect(unusable.body).not.toContain('/etc/secret');
  });

  it('GET /egress-addresses gives the configured list, empty when connections are not bound', () => {
    expect(body(answerPublicInfo('GET', '/egress-addresses', loaded))).toEqual({ addresses: ['203.0.113.7', '203.0.113.8'] });
    expect(body(answerPublicInfo('GET', '/egress-addresses', { clientCertificate: { kind: 'none' }, egressAddresses: [] }))).toEqual({ addresses: [] });
  });

  it('refuses other paths and methods, naming what is served', () => {
    expect(answerPublicInfo('GET', '/', loaded)).toMatchObject({ status: 404, body: expect.stringContaining('/certificate, /certificate.pem, /egress-addresses') });
    expect(answerPublicInfo('POST', '/certificate', loaded).status).toBe(405);
    expect(answerPublicInfo('HEAD', '/certificate', loaded).status).toBe(200);
  });
});
