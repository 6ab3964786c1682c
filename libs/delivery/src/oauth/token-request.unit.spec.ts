import { describe, expect, it } from 'vitest';
import type { OAuthDeliveryAuth } from '../target.ts';
import { basicAuthorization, buildTokenRequest, formEncode } from './token-request.ts';

const clientCredentials = (overrides: Partial<Extract<OAuthDeliveryAuth, { type: 'oauth2-client-credentials' }>> = {}): OAuthDeliveryAuth => ({
  type: 'oauth2-client-credentials',
  tokenUrl: 'https://auth.acme.com/oauth/token?tenant=eu&v=2',
  clientId: 'spillway',
  clientSecret: 's3cret',
  credentialsType: 'body-form',
  extraTokenParams: {},
  ...overrides,
});

const password: OAuthDeliveryAuth = {
  type: 'oauth2-password',
  tokenUrl: 'https://auth.acme.com/token',
  clientId: 'spillway',
  clientSecret: 's3cret',
  credentialsType: 'body-form',
  username: 'exporter@acme.com',
  password: 'p&ss word',
  extraTokenParams: {},
};

describe('buildTokenRequest', () => {
  it('client credentials in the body: a form POST to the token URL as written, fields in the spec order', () => {
    expect(buildTokenRequest(clientCredentials(), { kind: 'configured' })).toEqual({
      url: 'https://auth.acme.com/oauth/token?tenant=eu&v=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': expect.any(String) },
      body: 'grant_type=client_credentials&client_id=spillway&client_secret=s3cret',
    });
  });

  it('client credentials as Basic: only the grant type in the body', () => {
    const request = buildTokenRequest(clientCredentials({ credentialsType: 'basic' }), { kind: 'configured' });
    expect(request.body).toBe('grant_type=client_credentials');
    expect(request.headers['authorization']).toBe(`Basic ${Buffer.from('spillway:s3cret').toString('base64')}`);
  });

  it('password grant: username and password, then the client credentials, form-encoded', () => {
    expect(buildTokenRequest(password, { kind: 'configured' }).body).toBe(
      'grant_type=password&username=exporter%40acme.com&password=p%26ss+word&client_id=spillway&client_secret=s3cret',
    );
    const basic = buildTokenRequest({ ...password, credentialsType: 'basic' }, { kind: 'configured' });
    expect(basic.body).toBe('grant_type=password&username=exporter%40acme.com&password=p%26ss+word');
    expect(basic.headers['authorization']).toBe(basicAuthorization('spillway', 's3cret'));
  });

  it('a renewal sends the refresh token instead of the grant, still authenticating the client', () => {
    expect(buildTokenRequest(password, { kind: 'refresh', refreshToken: 'rt-1' }).body).toBe('grant_type=refresh_token&refresh_token=rt-1&client_id=spillway&client_secret=s3cret');
  });

  it('adds scope, audience and the extra parameters to every token request', () => {
    const auth = clientCredentials({ scope: 'profiles:write audiences:read', audience: 'https://api.acme.com', extraTokenParams: { resource: 'urn:acme', tenant: 'eu' } });
    const expected = '&scope=profiles%3Awrite+audiences%3Aread&audience=https%3A%2F%2Fapi.acme.com&resource=urn%3Aacme&tenant=eu';
    expect(buildTokenRequest(auth, { kind: 'configured' }).body).toBe(`grant_type=client_credentials&client_id=spillway&client_secret=s3cret${expected}`);
    expect(buildTokenRequest(auth, { kind: 'refresh', refreshToken: 'r' }).body).toBe(`grant_type=refresh_token&refresh_token=r&client_id=spillway&client_secret=s3cret${expected}`);
  });
});

describe('basicAuthorization (RFC 6749 section 2.3.1)', () => {
  it('form-encodes the id and secret before base64, so a colon or a non-ASCII character survives', () => {
    const header = basicAuthorization('client:id', 'sé cret+/=');
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    expect(decoded).toBe('client%3Aid:s%C3%A9+cret%2B%2F%3D');
    expect(formEncode('a b&c')).toBe('a+b%26c');
  });
});
