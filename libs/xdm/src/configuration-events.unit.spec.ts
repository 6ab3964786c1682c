import { describe, expect, it } from 'vitest';
import { parsePublicEvent } from './events.ts';

const destination = {
  destinationId: 'dest-1',
  name: 'Acme receiver',
  endpoint: 'https://receiver.acme.com/profiles',
  queryParams: { source: 'spillway' },
  headers: { 'X-Tenant': 'acme' },
  auth: { type: 'none' },
  includeSegmentNames: true,
  includeSegmentTimestamps: false,
};

const dataflow = {
  dataflowId: 'df-1',
  destinationId: 'dest-1',
  audiences: [{ audienceId: 'a1', mappingCreatedAt: 1649856570000 }, { audienceId: 'a2' }],
  attributes: ['person.name.firstName', 'personalEmail.address'],
  enabled: true,
};

function rejection(type: string, data: unknown): string {
  const parsed = parsePublicEvent(type, data);
  if (parsed.ok) throw new Error(`expected ${type} to be rejected`);
  return parsed.error.message;
}

describe('DestinationConfigured', () => {
  it.each([
    { type: 'none' },
    { type: 'bearer', token: 'env:ACME_TOKEN' },
    { type: 'oauth2-client-credentials', tokenUrl: 'https://auth.acme.com/token?aud=x&v=2', clientId: 'spillway', clientSecret: 'file:/run/secrets/acme', credentialsType: 'body-form' },
    { type: 'oauth2-client-credentials', tokenUrl: 'https://auth.acme.com/token', clientId: 'spillway', clientSecret: 'env:SECRET', credentialsType: 'basic' },
    { type: 'oauth2-password', tokenUrl: 'http://127.0.0.1:9000/token', clientId: 'c', clientSecret: 'env:CS', username: 'svc', password: 'file:/etc/spillway/password' },
  ])('accepts auth $type', (auth) => {
    expect(parsePublicEvent('DestinationConfigured', { ...destination, headers: {}, auth, mtls: { enabled: true }, timeoutMs: 5000 }).ok).toBe(true);
  });

  it('refuses two headers whose names differ only in case, naming both', () => {
    const message = rejection('DestinationConfigured', { ...destination, headers: { 'X-Tenant': 'a', 'x-tenant': 'b' } });
    expect(message).toBe("DestinationConfigured: headers.x-tenant: duplicates header 'X-Tenant' (header names are case-insensitive)");
  });

  it('refuses a user name or password in the endpoint or token URL, without repeating it', () => {
    const message = rejection('DestinationConfigured', { ...destination, endpoint: 'https://svc:pa55word@acme.example/in' });
    expect(message).toBe('DestinationConfigured: endpoint: must not contain a user name or password (user:password@); credentials go in `auth`, as secret references');
    const tokenUrl = rejection('DestinationConfigured', { ...destination, auth: { type: 'oauth2-client-credentials', tokenUrl: 'https://c:pa55word@auth.acme.com/token', clientId: 'c', clientSecret: 'env:S', credentialsType: 'basic' } });
    expect(tokenUrl).toContain('auth.tokenUrl: must not contain a user name or password');
    expect(`${message} ${tokenUrl}`).not.toContain('pa55word');
  });

  it('refuses mTLS on an http:// endpoint, where no certificate would be presented', () => {
    const message = rejection('DestinationConfigured', { ...destination, endpoint: 'http://acme.example/in', mtls: { enabled: true } });
    expect(message).toBe('DestinationConfigured: mtls.enabled: mTLS needs an https:// endpoint (the certificate is presented in the TLS handshake)');
    expect(parsePublicEvent('DestinationConfigured', { ...destination, endpoint: 'http://acme.example/in', mtls: { enabled: false } }).ok).toBe(true);
  });

  it('refuses a secret written in plain text, without repeating it', () => {
    const message = rejection('DestinationConfigured', { ...destination, auth: { type: 'bearer', token: 's3cr3t-t0ken' } });
    expect(message).toBe('DestinationConfigured: auth.token: must be a secret reference, env:NAME or file:/absolute/path, never the secret itself');
    expect(message).not.toContain('s3cr3t');
  });

  it.each(['env:', 'env:1ABC', 'env:A-B', 'file:relative/path', 'file:/', 'file:/dir/', 'ENV:TOKEN'])('refuses the malformed reference %s', (reference) => {
    expect(rejection('DestinationConfigured', { ...destination, auth: { type: 'oauth2-password', tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 'env:OK', username: 'u', password: reference } })).toMatch(
      /^DestinationConfigured: auth\.password: must be a secret reference/,
    );
  });

  it('names the auth field that is missing or unknown', () => {
    expect(rejection('DestinationConfigured', { ...destination, auth: { type: 'oauth2-client-credentials', tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 'env:S' } })).toBe(
      "DestinationConfigured: auth.credentialsType: must be 'body-form' or 'basic'",
    );
    expect(rejection('DestinationConfigured', { ...destination, auth: { type: 'basic' } })).toMatch(/^DestinationConfigured: auth\.type: must have a type of 'none', 'bearer'/);
  });

  it('accepts optional token request parameters on both OAuth kinds, and a credentials type for the password grant', () => {
    const tokenOptions = { scope: 'profiles:write audiences:read', audience: 'https://api.acme.com', extraTokenParams: { resource: 'urn:acme:profiles', tenant: 'eu' } };
    expect(
      parsePublicEvent('DestinationConfigured', {
        ...destination,
        auth: { type: 'oauth2-client-credentials', tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 'env:S', credentialsType: 'basic', ...tokenOptions },
      }).ok,
    ).toBe(true);
    expect(
      parsePublicEvent('DestinationConfigured', {
        ...destination,
        auth: { type: 'oauth2-password', tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 'env:S', username: 'u', password: 'env:P', credentialsType: 'basic', ...tokenOptions },
      }).ok,
    ).toBe(true);
  });

  it('refuses an extra token parameter the grant sets itself, naming it', () => {
    const auth = { type: 'oauth2-client-credentials', tokenUrl: 'https://a/t', clientId: 'c', clientSecret: 'env:S', credentialsType: 'body-form' };
    expect(rejection('DestinationConfigured', { ...destination, auth: { ...auth, extraTokenParams: { grant_type: 'password', scope: 'x' } } })).toBe(
      'DestinationConfigured: auth.extraTokenParams.grant_type: is set by the grant (or by the scope / audience field) and cannot be an extra token parameter; ' +
        'auth.extraTokenParams.scope: is set by the grant (or by the scope / audience field) and cannot be an extra token parameter',
    );
    expect(rejection('DestinationConfigured', { ...destination, auth: { ...auth, extraTokenParams: { tenant: 5 } } })).toBe('DestinationConfigured: auth.extraTokenParams.tenant: token parameter value must be a string');
    expect(rejection('DestinationConfigured', { ...destination, auth: { ...auth, scope: '' } })).toBe('DestinationConfigured: auth.scope: must not be empty');
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(rejection('DestinationConfigured', { ...destination, endpoint: 'ftp://acme.com/x' })).toBe('DestinationConfigured: endpoint: must be an absolute http:// or https:// URL');
  });

  it('refuses header injection and headers the pipeline owns', () => {
    expect(rejection('DestinationConfigured', { ...destination, headers: { 'X-A': 'ok\r\nX-Evil: 1' } })).toBe(
      'DestinationConfigured: headers.X-A: header value must be printable ASCII or Latin-1: no line breaks, control characters or characters beyond U+00FF',
    );
    expect(rejection('DestinationConfigured', { ...destination, headers: { 'X-Export-Sequence': '1' } })).toMatch(/headers\.X-Export-Sequence: header is set by the pipeline/);
    expect(rejection('DestinationConfigured', { ...destination, headers: { 'Bad Header': 'x' } })).toMatch(/headers\.Bad Header: header name must be an HTTP token/);
  });

  it.each(['none', 'bearer'] as const)('refuses a custom Authorization header with auth %s: credentials come from auth', (type) => {
    const auth = type === 'none' ? { type } : { type, token: 'env:T' };
    expect(rejection('DestinationConfigured', { ...destination, auth, headers: { authorization: 'x' } })).toBe(
      'DestinationConfigured: headers.authorization: Authorization comes from `auth` (with a secret reference); a custom one would store the credential in plain text',
    );
  });

  it('refuses a missing switch and a typo in an optional field', () => {
    const { includeSegmentNames: _dropped, ...withoutNames } = destination;
    expect(rejection('DestinationConfigured', { ...withoutNames, timeoutMS: 100 })).toBe(
      'DestinationConfigured: includeSegmentNames: must be true or false; (root): Unrecognized key: "timeoutMS"',
    );
  });

  it('refuses a __proto__ query parameter instead of dropping it', () => {
    const hostile = JSON.parse(JSON.stringify({ ...destination, queryParams: {} }).replace('"queryParams":{}', '"queryParams":{"__proto__":"x"}')) as unknown;
    expect(rejection('DestinationConfigured', hostile)).toBe("DestinationConfigured: queryParams.__proto__: query parameter '__proto__' is a reserved name");
  });
});

describe('DataflowConfigured', () => {
  it('accepts a dataflow with and without mapping timestamps and consent', () => {
    expect(parsePublicEvent('DataflowConfigured', dataflow).ok).toBe(true);
    expect(parsePublicEvent('DataflowConfigured', { ...dataflow, consent: true }).ok).toBe(true);
  });

  it('names a bad attribute path by its index', () => {
    expect(rejection('DataflowConfigured', { ...dataflow, attributes: ['person.name.firstName', 'person..name', '__proto__.x'] })).toBe(
      "DataflowConfigured: attributes[1]: is not an XDM path: a segment is empty; attributes[2]: is not an XDM path: '__proto__' is a reserved name",
    );
  });

  it('refuses mapping identityMap or segmentMembership', () => {
    expect(rejection('DataflowConfigured', { ...dataflow, attributes: ['identityMap.ecid'] })).toBe(
      "DataflowConfigured: attributes[0]: 'identityMap' cannot be mapped: it is always part of the export",
    );
  });

  it('refuses an audience or attribute mapped twice', () => {
    expect(rejection('DataflowConfigured', { ...dataflow, audiences: [{ audienceId: 'a1' }, { audienceId: 'a1' }], attributes: ['x', 'x'] })).toBe(
      "DataflowConfigured: audiences[1].audienceId: 'a1' is listed twice; attributes[1]: 'x' is listed twice",
    );
  });

  it('names wrong types', () => {
    expect(rejection('DataflowConfigured', { ...dataflow, enabled: 'yes', audiences: [{ audienceId: '' , mappingCreatedAt: 1.5 }] })).toBe(
      'DataflowConfigured: audiences[0].audienceId: must not be empty; audiences[0].mappingCreatedAt: must be a whole number of epoch milliseconds; enabled: must be true or false',
    );
  });
});

describe('deletions', () => {
  it('accept the id and nothing else', () => {
    expect(parsePublicEvent('DestinationDeleted', { destinationId: 'd' }).ok).toBe(true);
    expect(parsePublicEvent('DataflowDeleted', { dataflowId: 'd' }).ok).toBe(true);
    expect(rejection('DataflowDeleted', {})).toBe('DataflowDeleted: dataflowId: must be a string');
  });
});
