import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { deliveriesStreamName } from '@spillway/pipeline-events';
import { createTestPki, httpsReceiverOptions, startHttpReceiver, startTokenServer, type HttpReceiver, type TestPki, type TokenServer } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from './harness/cli.ts';
import { waitForPipeline } from './harness/settle.ts';
import { serviceNames, startStack, type Stack } from './harness/stack.ts';

// issue 4 "Secrets": a full flow with every auth kind (and mTLS with an encrypted key), its
// secrets given to the agent through env and file references with distinctive random values;
// then every event of every stream in the store, every log line of every process and every CLI
// output are searched for them, raw and encoded (base64 of the secret and of Basic credentials).

/** A secret of this run: its random value, and how the agent gets it. */
interface Secret {
  readonly value: string;
  readonly via: 'env' | 'file';
}
const secretNames = ['BEARER_TOKEN', 'CC_BODY_SECRET', 'CC_BASIC_SECRET', 'PW_CLIENT_SECRET', 'PW_PASSWORD', 'KEY_PASSPHRASE'] as const;
type SecretName = (typeof secretNames)[number];
const secrets: Record<SecretName, Secret> = Object.fromEntries(
  secretNames.map((name, index) => [name, { value: `s3cret-${name.toLowerCase()}-${randomBytes(12).toString('hex')}`, via: index % 2 === 0 ? 'env' : 'file' }]),
) as Record<SecretName, Secret>;

/**
 * One row per auth kind: the destination's auth as the config file writes it (secrets as
 * references only) and the client id whose Basic credentials must not leak either. Adding an auth
 * kind to the product means adding its row here.
 */
interface AuthKindCase {
  readonly kind: string;
  readonly auth: (ref: (name: SecretName) => string, tokenUrl: string) => string;
  /** Its endpoint only accepts tokens of the test's token server. */
  readonly oauth: boolean;
  readonly basic?: { readonly clientId: string; readonly secret: SecretName };
}
const authKinds: readonly AuthKindCase[] = [
  { kind: 'none', oauth: false, auth: () => 'none' },
  { kind: 'bearer', oauth: false, auth: (ref) => `{ type: bearer, token: "${ref('BEARER_TOKEN')}" }` },
  {
    kind: 'cc-body',
    oauth: true,
    basic: { clientId: 'cc-body-client', secret: 'CC_BODY_SECRET' },
    auth: (ref, tokenUrl) => `{ type: oauth2-client-credentials, tokenUrl: "${tokenUrl}", clientId: cc-body-client, clientSecret: "${ref('CC_BODY_SECRET')}", credentialsType: body-form }`,
  },
  {
    kind: 'cc-basic',
    oauth: true,
    basic: { clientId: 'cc-basic-client', secret: 'CC_BASIC_SECRET' },
    auth: (ref, tokenUrl) => `{ type: oauth2-client-credentials, tokenUrl: "${tokenUrl}", clientId: cc-basic-client, clientSecret: "${ref('CC_BASIC_SECRET')}", credentialsType: basic }`,
  },
  {
    kind: 'password',
    oauth: true,
    basic: { clientId: 'pw-client', secret: 'PW_CLIENT_SECRET' },
    auth: (ref, tokenUrl) =>
      `{ type: oauth2-password, tokenUrl: "${tokenUrl}", clientId: pw-client, clientSecret: "${ref('PW_CLIENT_SECRET')}", username: pw-user, password: "${ref('PW_PASSWORD')}" }`,
  },
];

let pki: TestPki;
let secretDir: string;
let tokens: TokenServer;
let mtlsEndpoint: HttpReceiver;
let stack: Stack;
const cliRuns: CliRun[] = [];
const ref = (name: SecretName) => (secrets[name].via === 'env' ? `env:SPILLWAY_TEST_${name}` : `file:${join(secretDir, name.toLowerCase())}`);
const dataflows = [...authKinds.map((row) => `flow-${row.kind}`), 'flow-mtls'];

beforeAll(async () => {
  [pki, secretDir, tokens] = await Promise.all([
    createTestPki({ keyPassphrase: secrets.KEY_PASSPHRASE.value }),
    mkdtemp(join(tmpdir(), 'spillway-secrets-')),
    startTokenServer({
      refreshTokens: true,
      clients: { 'cc-body-client': secrets.CC_BODY_SECRET.value, 'cc-basic-client': secrets.CC_BASIC_SECRET.value, 'pw-client': secrets.PW_CLIENT_SECRET.value },
      users: { 'pw-user': secrets.PW_PASSWORD.value },
    }),
  ]);
  mtlsEndpoint = await startHttpReceiver({ https: httpsReceiverOptions(pki, 'required') });
  const env: Record<string, string> = {};
  for (const name of secretNames) {
    if (secrets[name].via === 'env') env[`SPILLWAY_TEST_${name}`] = secrets[name].value;
    else await writeFile(join(secretDir, name.toLowerCase()), `${secrets[name].value}\n`, { mode: 0o600 });
  }
  const protectedPaths = new Set(authKinds.filter((row) => row.oauth).map((row) => `/${row.kind}`));
  const oauthOnly = tokens.protect();
  stack = await startStack({
    env: {
      'profile-projector': { LOG_LEVEL: 'debug' },
      'export-decider': { LOG_LEVEL: 'debug' },
      'delivery-agent': {
        ...env,
        LOG_LEVEL: 'debug',
        SPILLWAY_AGENT_HTTP_PORT: '0',
        SPILLWAY_CLIENT_CERT_FILE: pki.client.certFile,
        SPILLWAY_CLIENT_KEY_FILE: pki.encryptedClientKey.keyFile,
        SPILLWAY_CLIENT_KEY_PASSPHRASE: ref('KEY_PASSPHRASE'),
        SPILLWAY_CA_FILE: pki.ca.certFile,
      },
    },
    respond: (request) => (protectedPaths.has(request.path) ? oauthOnly(request) : { status: 200 }),
  });
  const destinations = authKinds.map((row) => `  - { id: dest-${row.kind}, name: ${row.kind}, endpoint: "${stack.receiver.url}/${row.kind}", auth: ${row.auth(ref, `${tokens.tokenUrl}?tenant=t1&v=2`)} }`);
  cliRuns.push(
    await stack.apply(`
audiences:
  - { id: vip, name: VIP, mergePolicy: mp-main }
destinations:
${destinations.join('\n')}
  - { id: dest-mtls, name: mtls, endpoint: "${mtlsEndpoint.url}/mtls", auth: { type: bearer, token: "${ref('BEARER_TOKEN')}" }, mtls: true }
dataflows:
${dataflows.map((id) => `  - { id: ${id}, destination: ${id.replace('flow-', 'dest-')}, audiences: [vip], attributes: [person.name.firstName] }`).join('\n')}
`),
  );
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([tokens?.close(), mtlsEndpoint?.close()]);
  await Promise.all([pki?.remove(), secretDir && rm(secretDir, { recursive: true, force: true })]);
});

describe('secrets never leave the agent', () => {
  it('delivers with every auth kind and mTLS, then no stream, log line or CLI output holds a secret, raw or encoded', async () => {
    const sample = await stack.cli(['ingest', 'sample', '--profiles', '2', '--audience', 'vip', '--json']);
    cliRuns.push(sample);
    const profileIds = (JSON.parse(sample.stdout) as { profiles: { profileId: string }[] }).profiles.map((profile) => profile.profileId);
    await waitForPipeline(stack.client, { profileIds, dataflowIds: dataflows });

    // The flow worked with each kind: the endpoints got the credentials, the outcomes say delivered.
    for (const dataflowId of dataflows) expect(await outcomeTypes(dataflowId), dataflowId).toEqual(['ExportDelivered', 'ExportDelivered']);
    expect(stack.receiver.requests.filter((request) => request.path === '/bearer').map((request) => request.headers.authorization)).toEqual(
      Array(2).fill(`Bearer ${secrets.BEARER_TOKEN.value}`),
    );
    expect(mtlsEndpoint.requests.map((request) => request.clientCertificate?.subject['CN'])).toEqual(['spillway-test-client', 'spillway-test-client']);
    expect(tokens.requests.map((request) => request.basic?.clientId ?? request.form['client_id']).sort()).toEqual(['cc-basic-client', 'cc-body-client', 'pw-client']);

    // What users can see of the configuration: references, never values.
    const shows = [...authKinds.map((row) => row.kind), 'mtls'].flatMap((kind) => [['destinations', 'show', `dest-${kind}`], ['destinations', 'show', `dest-${kind}`, '--json']]);
    cliRuns.push(...(await Promise.all([...shows, ['destinations', 'list', '--json'], ['dataflows', 'show', 'flow-password']].map((args) => stack.cli(args)))));
    const shown = cliRuns.map((run) => `${run.stdout}\n${run.stderr}`).join('\n');
    expect(shown).toContain(ref('BEARER_TOKEN'));
    expect(shown).toContain(ref('PW_PASSWORD'));
    expect(shown).toContain(ref('CC_BODY_SECRET'));
    const publicInfo = String(stack.service('delivery-agent').started['publicInfo']);
    const agentAnswers = await Promise.all(['certificate', 'certificate.pem', 'egress-addresses'].map(async (path) => (await fetch(`${publicInfo}/${path}`)).text()));

    const haystacks = {
      streams: await everyEventInTheStore(stack.store.connectionString),
      'service logs': serviceNames.map((name) => stack.service(name).logs().map((line) => JSON.stringify(line)).join('\n')).join('\n'),
      'store log': stack.store.logs().join('\n'),
      'CLI output': shown,
      'agent public endpoint': agentAnswers.join('\n'),
    };
    expect(haystacks.streams.length).toBeGreaterThan(10_000);
    expect(haystacks['service logs']).toContain('destination ready');

    const needles = forbiddenValues();
    // The needles are right: where secrets must go (the endpoints and the token server), they are found.
    const wire = JSON.stringify([stack.receiver.requests.map((request) => request.headers), tokens.requests.map((request) => [request.headers, request.rawBody])]);
    const onTheWire = needles.filter((needle) => wire.includes(needle.value)).map((needle) => needle.what);
    expect(onTheWire).toEqual(expect.arrayContaining(['BEARER_TOKEN', 'CC_BODY_SECRET', 'PW_CLIENT_SECRET', 'PW_PASSWORD', 'Basic credentials of cc-basic', 'access token 1']));
    for (const [where, text] of Object.entries(haystacks)) {
      const found = needles.filter((needle) => text.includes(needle.value)).map((needle) => needle.what);
      expect(found, `secrets found in ${where}`).toEqual([]);
    }
  }, 90_000);
});

async function outcomeTypes(dataflowId: string): Promise<string[]> {
  const client = EventStoreDBClient.connectionString(stack.store.connectionString);
  try {
    const types: string[] = [];
    for await (const resolved of client.readStream(deliveriesStreamName(dataflowId))) if (resolved.event) types.push(resolved.event.type);
    return types;
  } finally {
    await client.dispose();
  }
}

/** Every event of every stream, system streams included: stream, type, data and metadata as text. */
async function everyEventInTheStore(connectionString: string): Promise<string> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const parts: string[] = [];
  try {
    for await (const resolved of client.readAll({ direction: FORWARDS, fromPosition: START, resolveLinkTos: false })) {
      const event = resolved.event;
      if (!event) continue;
      const data = event.isJson ? JSON.stringify(event.data) : Buffer.from(event.data as Uint8Array).toString('latin1');
      const metadata = event.metadata instanceof Uint8Array ? Buffer.from(event.metadata).toString('latin1') : JSON.stringify(event.metadata ?? null);
      parts.push(`${event.streamId} ${event.type} ${data} ${metadata}`);
    }
  } finally {
    await client.dispose();
  }
  return parts.join('\n');
}

/** Every secret of the run in every form it could take on the wire, plus the tokens issued and the private key. */
function forbiddenValues(): { what: string; value: string }[] {
  const encodings = (what: string, value: string) => [
    { what, value },
    { what: `${what} (base64)`, value: Buffer.from(value).toString('base64') },
    { what: `${what} (base64url)`, value: Buffer.from(value).toString('base64url') },
  ];
  const keyBody = pki.encryptedClientKey.key.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  return [
    ...secretNames.flatMap((name) => encodings(name, secrets[name].value)),
    ...authKinds.flatMap((row) => (row.basic ? [{ what: `Basic credentials of ${row.kind}`, value: Buffer.from(`${row.basic.clientId}:${secrets[row.basic.secret].value}`).toString('base64') }] : [])),
    ...tokens.issued.map((token, index) => ({ what: `access token ${index + 1}`, value: token })),
    // The test token server's refresh tokens are named like its access tokens.
    ...tokens.issued.map((token, index) => ({ what: `refresh token ${index + 1}`, value: token.replace(/^access-/, 'refresh-') })),
    { what: 'client private key', value: keyBody[3]! },
    { what: 'a private key', value: 'PRIVATE KEY-----' },
  ];
}
