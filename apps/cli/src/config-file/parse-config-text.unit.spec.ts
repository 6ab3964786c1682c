import { readFileSync } from 'node:fs';
import { parseStreamEvent } from '@spillway/xdm';
import { describe, expect, it } from 'vitest';
import { parseConfigText, type LocatedIssue, type ParsedConfigText } from './parse-config-text.ts';

const destinationYaml = (fields: string) => `destinations:
  - id: shop
    name: Shop endpoint
    endpoint: https://hooks.example.com/profiles
${fields}`;

function issuesOf(parsed: ParsedConfigText): readonly LocatedIssue[] {
  if (parsed.ok) throw new Error('expected the file to be refused');
  return parsed.issues;
}

function configOf(parsed: ParsedConfigText) {
  if (!parsed.ok) throw new Error(`expected the file to be accepted: ${JSON.stringify(parsed.issues)}`);
  return parsed.config;
}

describe('the spillway apply file format', () => {
  it('given the example file, when parsed, then it becomes events every consumer accepts', () => {
    const text = readFileSync(new URL('../../../../examples/spillway.yaml', import.meta.url), 'utf8');
    const config = configOf(parseConfigText(text, 'yaml'));
    const destination = config.destinations[0]!;
    expect(destination).toMatchObject({
      destinationId: 'example-receiver',
      endpoint: 'http://127.0.0.1:8787/exports',
      auth: { type: 'none' },
    });
    expect(Object.keys(destination.headers ?? {})).toHaveLength(1);
    expect(Object.keys(destination.queryParams ?? {})).toHaveLength(1);
    expect(config.audiences).toEqual([{ audienceId: 'vip-customers', name: 'VIP customers', mergePolicyId: 'default', origin: 'segmentation' }]);
    expect(config.dataflows[0]).toMatchObject({
      destinationId: 'example-receiver',
      audiences: [{ audienceId: 'vip-customers' }],
      attributes: ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'],
      enabled: true,
    });
    expect(parseStreamEvent('destination-example-receiver', 'DestinationConfigured', destination).ok).toBe(true);
    expect(parseStreamEvent(`dataflow-${config.dataflows[0]!.dataflowId}`, 'DataflowConfigured', config.dataflows[0]).ok).toBe(true);
  });

  it('given retry settings, then they go into the destination as written, and a wrong one is refused with its path', () => {
    const config = configOf(parseConfigText(destinationYaml('    retry: { attempts: 5, baseDelayMs: 100, maxRetryAfterMs: 60000 }'), 'yaml'));
    expect(config.destinations[0]!.retry).toEqual({ attempts: 5, baseDelayMs: 100, maxRetryAfterMs: 60000 });
    expect(parseStreamEvent('destination-shop', 'DestinationConfigured', config.destinations[0]).ok).toBe(true);
    const issues = issuesOf(parseConfigText(destinationYaml('    retry: { attempts: 0, every: 3 }'), 'yaml'));
    expect(issues.map((issue) => issue.path)).toEqual(expect.arrayContaining([expect.stringContaining('retry')]));
  });

  it('given flow control settings, then they go into the destination as written, and wrong ones are refused with their paths', () => {
    const yaml = destinationYaml('    circuit: { openAfterSeconds: 30, probeEverySeconds: 5 }\n    rateLimit: { requestsPerSecond: 50 }\n    maxInFlight: 8');
    const destination = configOf(parseConfigText(yaml, 'yaml')).destinations[0]!;
    expect([destination.circuit, destination.rateLimit, destination.maxInFlight]).toEqual([{ openAfterSeconds: 30, probeEverySeconds: 5 }, { requestsPerSecond: 50 }, 8]);
    expect(parseStreamEvent('destination-shop', 'DestinationConfigured', destination).ok).toBe(true);
    const wrong = destinationYaml('    circuit: { openAfterSeconds: 0, every: 3 }\n    rateLimit: { requestsPerSecond: -1 }\n    maxInFlight: 0');
    const paths = issuesOf(parseConfigText(wrong, 'yaml')).map((issue) => issue.path);
    for (const field of ['circuit', 'rateLimit', 'maxInFlight']) expect(paths).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
  });

  it('given headers and query parameters as user-facing strings, then they become maps', () => {
    const config = configOf(parseConfigText(destinationYaml('    headers: "x-api-version:2,x-tenant:acme"\n    queryParams: "source=spillway&region=eu%20west"'), 'yaml'));
    expect(config.destinations[0]!.headers).toEqual({ 'x-api-version': '2', 'x-tenant': 'acme' });
    expect(config.destinations[0]!.queryParams).toEqual({ source: 'spillway', region: 'eu west' });
  });

  it('given headers and query parameters as maps, then scalar values become text', () => {
    const config = configOf(parseConfigText(destinationYaml('    headers: { x-api-version: 2 }\n    queryParams: { page: 1, debug: true }'), 'yaml'));
    expect(config.destinations[0]!.headers).toEqual({ 'x-api-version': '2' });
    expect(config.destinations[0]!.queryParams).toEqual({ page: '1', debug: 'true' });
  });

  it('given header and query values YAML would read as numbers, then they are sent as written', () => {
    const config = configOf(parseConfigText(destinationYaml('    headers: { X-Version: 1.10, X-Code: 007, X-Big: 12345678901234567890, X-Hex: 0x1F }\n    queryParams: { zip: 01234, v: 2.0 }'), 'yaml'));
    expect(config.destinations[0]!.headers).toEqual({ 'X-Version': '1.10', 'X-Code': '007', 'X-Big': '12345678901234567890', 'X-Hex': '0x1F' });
    expect(config.destinations[0]!.queryParams).toEqual({ zip: '01234', v: '2.0' });
  });

  it('given no auth and no switches, then auth is none and both payload switches are off', () => {
    const config = configOf(parseConfigText(destinationYaml(''), 'yaml'));
    expect(config.destinations[0]).toEqual({
      destinationId: 'shop',
      name: 'Shop endpoint',
      endpoint: 'https://hooks.example.com/profiles',
      auth: { type: 'none' },
      includeSegmentNames: false,
      includeSegmentTimestamps: false,
    });
  });

  it('given secrets as env: and file: references, then they are kept as references', () => {
    const auth = '    auth: { type: oauth2-password, tokenUrl: "https://auth.example.com/token", clientId: spillway, clientSecret: "env:CLIENT_SECRET", username: exporter, password: "file:/run/secrets/password" }';
    const config = configOf(parseConfigText(destinationYaml(auth), 'yaml'));
    expect(config.destinations[0]!.auth).toMatchObject({ clientSecret: 'env:CLIENT_SECRET', password: 'file:/run/secrets/password' });
  });

  it('given OAuth token options, then scope, audience and extra parameters (map or text) reach the event', () => {
    const auth = `    auth:
      type: oauth2-client-credentials
      tokenUrl: "https://auth.example.com/token?tenant=eu&v=2"
      clientId: spillway
      clientSecret: "env:CLIENT_SECRET"
      credentialsType: basic
      scope: "profiles:write"
      audience: "https://api.example.com"
      extraTokenParams: { resource: "urn:example:profiles", version: 2 }`;
    expect(configOf(parseConfigText(destinationYaml(auth), 'yaml')).destinations[0]!.auth).toEqual({
      type: 'oauth2-client-credentials',
      tokenUrl: 'https://auth.example.com/token?tenant=eu&v=2',
      clientId: 'spillway',
      clientSecret: 'env:CLIENT_SECRET',
      credentialsType: 'basic',
      scope: 'profiles:write',
      audience: 'https://api.example.com',
      extraTokenParams: { resource: 'urn:example:profiles', version: '2' },
    });
    const password = '    auth: { type: oauth2-password, tokenUrl: "https://a.example.com/t", clientId: c, clientSecret: "env:S", username: u, password: "env:P", extraTokenParams: "resource=urn%3Ax&tenant=eu" }';
    const passwordAuth = configOf(parseConfigText(destinationYaml(password), 'yaml')).destinations[0]!.auth;
    expect(passwordAuth).toMatchObject({ extraTokenParams: { resource: 'urn:x', tenant: 'eu' } });
    expect(passwordAuth).not.toHaveProperty('credentialsType');
  });

  it('given an extra token parameter the grant sets itself, then the error names it', () => {
    const auth = '    auth: { type: oauth2-client-credentials, tokenUrl: "https://a.example.com/t", clientId: c, clientSecret: "env:S", extraTokenParams: { client_secret: x } }';
    expect(issuesOf(parseConfigText(destinationYaml(auth), 'yaml'))).toEqual([
      expect.objectContaining({ path: 'destinations[0].auth.extraTokenParams.client_secret', message: expect.stringContaining('is set by the grant') }),
    ]);
  });

  it('given a malformed header string, then the error names the field and line and shows the expected format', () => {
    const issues = issuesOf(parseConfigText(destinationYaml('    headers: "x-a:1,x-b"'), 'yaml'));
    expect(issues).toEqual([
      {
        path: 'destinations[0].headers',
        line: 5,
        message: 'item 2 "x-b" has no \':\' between name and value; expected header1:value1,header2:value2 (or a map of header: value)',
      },
    ]);
  });

  it('given a malformed query string, then the error names the field and shows the expected format', () => {
    const [issue] = issuesOf(parseConfigText(destinationYaml('    queryParams: "a=1&&b=2"'), 'yaml'));
    expect(issue?.path).toBe('destinations[0].queryParams');
    expect(issue?.message).toContain('expected parameter1=value&parameter2=value');
  });

  it('given a header the pipeline sets itself, then it is refused on that header', () => {
    const issues = issuesOf(parseConfigText(destinationYaml('    headers: "Content-Type:text/plain,Authorization:Bearer x"'), 'yaml'));
    expect(issues.map((issue) => issue.path)).toEqual(['destinations[0].headers.Content-Type', 'destinations[0].headers.Authorization']);
    expect(issues[1]!.message).toContain('use auth (type bearer with a token reference) instead');
  });

  it('given a literal secret, then it is refused with how to reference it, and the secret is never repeated', () => {
    const issues = issuesOf(parseConfigText(destinationYaml('    auth:\n      type: bearer\n      token: sk_live_51Hx9'), 'yaml'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'destinations[0].auth.token', line: 7 });
    expect(issues[0]!.message).toContain('env:NAME');
    expect(issues[0]!.message).toContain('file:/absolute/path');
    expect(JSON.stringify(issues)).not.toContain('sk_live_51Hx9');
  });

  it('given a password in the endpoint URL, then it is refused on the endpoint, and the password is never repeated', () => {
    const text = `destinations:
  - id: shop
    name: Shop endpoint
    endpoint: https://svc:pa55word@hooks.example.com/profiles
`;
    const issues = issuesOf(parseConfigText(text, 'yaml'));
    expect(issues).toEqual([expect.objectContaining({ path: 'destinations[0].endpoint', line: 4, message: expect.stringContaining('must not contain a user name or password') })]);
    expect(JSON.stringify(issues)).not.toContain('pa55word');
  });

  it('given a relative file: reference or a malformed env: reference, then each says what a reference looks like', () => {
    const auth = '    auth: { type: oauth2-client-credentials, tokenUrl: "https://auth.example.com/token", clientId: c, clientSecret: "file:secrets/x" }';
    expect(issuesOf(parseConfigText(destinationYaml(auth), 'yaml'))[0]).toMatchObject({
      path: 'destinations[0].auth.clientSecret',
      message: expect.stringContaining('file: must be followed by an absolute path'),
    });
    const bearer = '    auth: { type: bearer, token: "env:MY-TOKEN" }';
    expect(issuesOf(parseConfigText(destinationYaml(bearer), 'yaml'))[0]!.message).toContain('env: must be followed by an environment variable name');
  });

  it('given several mistakes in several items, then every one is reported with its field path', () => {
    const text = `destinations:
  - id: a
    name: A
    endpoint: ftp://files.example.com
    headerz: "x:1"
  - id: b
    endpoint: https://b.example.com
dataflows:
  - id: f
    destination: a
    attributes: ["person..name"]
  - id: f
    destination: a
  - id: g
    destination: a
    attributes: [person.name.firstName, identityMap]
audiences:
  - id: vip
    name: VIP
    mergePolicy: default
    origin: upload
`;
    const issues = issuesOf(parseConfigText(text, 'yaml'));
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['destinations[0].endpoint', 4],
      ['destinations[0].headerz', 5],
      ['destinations[1].name', 6],
      ['dataflows[0].attributes[0]', 11],
      ['dataflows[2].attributes[1]', 16],
      ['audiences[0].origin', 21],
      ['dataflows[1].id', 12],
    ]);
    const byPath = new Map(issues.map((issue) => [issue.path, issue.message]));
    expect(byPath.get('destinations[0].headerz')).toContain('is not a known field; expected one of id, name, description, endpoint');
    expect(byPath.get('destinations[1].name')).toBe('is required');
    expect(byPath.get('dataflows[0].attributes[0]')).toContain('is not an XDM path');
    expect(byPath.get('dataflows[2].attributes[1]')).toContain("'identityMap' cannot be mapped");
    expect(byPath.get('dataflows[1].id')).toBe("'f' is already used by dataflows[0]");
    expect(byPath.get('audiences[0].origin')).toBe("must be 'segmentation' or 'custom-upload'");
  });

  it('given a dataflow, then its defaults are enabled with no audiences or attributes, and audience ids may be short or full', () => {
    const text = 'dataflows:\n  - id: f\n    destination: d\n  - id: g\n    destination: d\n    audiences: [a1, { id: a2, mappingCreatedAt: 1649856570000 }]\n';
    const config = configOf(parseConfigText(text, 'yaml'));
    expect(config.dataflows[0]).toEqual({ dataflowId: 'f', destinationId: 'd', audiences: [], attributes: [], enabled: true });
    expect(config.dataflows[1]!.audiences).toEqual([{ audienceId: 'a1' }, { audienceId: 'a2', mappingCreatedAt: 1649856570000 }]);
  });

  it('given JSON, then it is read like YAML and errors carry lines too', () => {
    const text = '{\n  "destinations": [\n    { "id": "j", "name": "J", "endpoint": "https://j.example.com",\n      "auth": { "type": "bearer", "token": "abc123" } }\n  ]\n}\n';
    expect(issuesOf(parseConfigText(text, 'json'))).toEqual([
      { path: 'destinations[0].auth.token', line: 4, message: expect.stringContaining('literal secret') },
    ]);
  });

  it('given text that is not YAML or JSON, then the error says so with the line for YAML', () => {
    expect(issuesOf(parseConfigText('destinations: [\n  - id: x\n', 'yaml'))[0]).toMatchObject({ path: '(root)', message: expect.stringContaining('is not valid YAML') });
    const json = issuesOf(parseConfigText('{"destinations": [ {"id": "x", "token": sk_live } ]}', 'json'));
    expect(json[0]!.message).toContain('is not valid JSON');
    expect(json[0]!.message).not.toContain('sk_live');
  });

  it('given an empty file or a file with none of the sections, then it is refused as a whole', () => {
    expect(issuesOf(parseConfigText('', 'yaml'))[0]!.message).toContain('the file is empty');
    expect(issuesOf(parseConfigText('destination:\n  - id: x\n', 'yaml'))[0]).toMatchObject({ path: '(root)', line: 1, message: 'has none of destinations:, dataflows: or audiences:' });
    expect(issuesOf(parseConfigText('destinations: {}\n', 'yaml'))[0]).toMatchObject({ path: 'destinations', message: 'must be a list of destinations' });
  });

  it('given a reserved key, then it is refused rather than reaching a prototype', () => {
    const issues = issuesOf(parseConfigText(destinationYaml('    headers: { __proto__: x }'), 'yaml'));
    expect(issues[0]).toMatchObject({ path: 'destinations[0].headers.__proto__', message: "header '__proto__' is a reserved name" });
  });
});
