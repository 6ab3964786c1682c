import { setTimeout as delay } from 'node:timers/promises';
import { startHttpReceiver, startTokenServer, type HttpReceiver, type TokenServer, type TokenServerSettings } from '@spillway/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentWorld, type AgentWorld, type Outcome } from '../test-setup/agent-harness.ts';

const clientSecret = 'cs-8d1f-client-secret';
const userPassword = 'pw-27c4-user-password';
const env = { SPILLWAY_TEST_CLIENT_SECRET: clientSecret, SPILLWAY_TEST_PASSWORD: userPassword };
const credentials = { clients: { spillway: clientSecret }, users: { exporter: userPassword } };

let world: AgentWorld;
const servers: { close(): Promise<void> }[] = [];
beforeEach(async () => {
  world = await createAgentWorld();
});
afterEach(async () => {
  await world.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function tokenServer(settings: Partial<TokenServerSettings> = {}): Promise<TokenServer> {
  const server = await startTokenServer({ ...credentials, ...settings });
  servers.push(server);
  return server;
}
/** A receiver that accepts only the tokens `server` issued and that are still valid. */
async function protectedReceiver(server: TokenServer): Promise<HttpReceiver> {
  const receiver = await startHttpReceiver({ respond: server.protect() });
  servers.push(receiver);
  return receiver;
}

const clientCredentials = (tokenUrl: string, credentialsType: 'body-form' | 'basic') =>
  ({ type: 'oauth2-client-credentials', tokenUrl, clientId: 'spillway', clientSecret: 'env:SPILLWAY_TEST_CLIENT_SECRET', credentialsType }) as const;

async function requestExports(dataflowId: string, destinationId: string, count: number, sequence = 1): Promise<void> {
  for (let profile = 1; profile <= count; profile++) await world.requestExport({ dataflowId, destinationId, profileId: `p-${profile}`, sequence });
}

const delivered = (outcomes: readonly Outcome[]) => outcomes.filter((outcome) => outcome.type === 'ExportDelivered');
const authorizations = (receiver: HttpReceiver) => receiver.requests.map((request) => request.headers.authorization);

describe('delivery agent: OAuth 2.0', () => {
  it('client credentials in the body: the exact token request (to a token URL with two query parameters), then Bearer on every export', async () => {
    const server = await tokenServer();
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(`${server.tokenUrl}?tenant=eu&v=2`, 'body-form') });
    await requestExports(dataflowId, destinationId, 2);

    world.startAgent({ env });
    expect(delivered(await world.waitForOutcomes(dataflowId, 2))).toHaveLength(2);

    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent).toMatchObject({ method: 'POST', url: '/token?tenant=eu&v=2', query: { tenant: 'eu', v: '2' }, contentType: 'application/x-www-form-urlencoded' });
    expect(sent!.rawBody).toBe(`grant_type=client_credentials&client_id=spillway&client_secret=${clientSecret}`);
    expect(sent!.headers.authorization).toBeUndefined();
    expect(authorizations(endpoint)).toEqual([`Bearer ${server.issued[0]}`, `Bearer ${server.issued[0]}`]);
  });

  it('client credentials as Basic: the id and secret in the Authorization header, only the grant type in the body', async () => {
    const server = await tokenServer();
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(server.tokenUrl, 'basic') });
    await requestExports(dataflowId, destinationId, 2);

    world.startAgent({ env });
    expect(delivered(await world.waitForOutcomes(dataflowId, 2))).toHaveLength(2);

    const [sent] = server.requests;
    expect(sent).toMatchObject({ contentType: 'application/x-www-form-urlencoded', rawBody: 'grant_type=client_credentials', form: { grant_type: 'client_credentials' } });
    expect(sent!.headers.authorization).toBe(`Basic ${Buffer.from(`spillway:${clientSecret}`).toString('base64')}`);
    expect(sent!.basic).toEqual({ clientId: 'spillway', clientSecret });
    expect(authorizations(endpoint)).toEqual([`Bearer ${server.issued[0]}`, `Bearer ${server.issued[0]}`]);
  });

  it('password grant with scope, audience and an extra parameter: user and client credentials in the body', async () => {
    const server = await tokenServer();
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({
      destinationId,
      endpoint: endpoint.url,
      auth: {
        type: 'oauth2-password',
        tokenUrl: server.tokenUrl,
        clientId: 'spillway',
        clientSecret: 'env:SPILLWAY_TEST_CLIENT_SECRET',
        username: 'exporter',
        password: 'env:SPILLWAY_TEST_PASSWORD',
        scope: 'profiles:write',
        audience: 'https://api.acme.example',
        extraTokenParams: { resource: 'urn:acme:profiles' },
      },
    });
    await requestExports(dataflowId, destinationId, 2);

    world.startAgent({ env });
    expect(delivered(await world.waitForOutcomes(dataflowId, 2))).toHaveLength(2);

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ contentType: 'application/x-www-form-urlencoded' });
    expect(server.requests[0]!.form).toEqual({
      grant_type: 'password',
      username: 'exporter',
      password: userPassword,
      client_id: 'spillway',
      client_secret: clientSecret,
      scope: 'profiles:write',
      audience: 'https://api.acme.example',
      resource: 'urn:acme:profiles',
    });
    expect(authorizations(endpoint)).toEqual([`Bearer ${server.issued[0]}`, `Bearer ${server.issued[0]}`]);
    expect(world.logText()).not.toContain(userPassword);
    expect(world.logText()).not.toContain(clientSecret);
  });

  it('reuses one token for 50 exports', async () => {
    const server = await tokenServer();
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(server.tokenUrl, 'body-form') });
    await requestExports(dataflowId, destinationId, 50);

    world.startAgent({ env });
    expect(delivered(await world.waitForOutcomes(dataflowId, 50))).toHaveLength(50);

    expect(server.requests).toHaveLength(1);
    expect(new Set(authorizations(endpoint))).toEqual(new Set([`Bearer ${server.issued[0]}`]));
  });

  it('fetches one token for 20 exports needing it at once while the token server takes 300 ms', async () => {
    const server = await tokenServer({ delayMs: 300 });
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(server.tokenUrl, 'body-form') });
    await requestExports(dataflowId, destinationId, 20);

    world.startAgent({ env });
    expect(delivered(await world.waitForOutcomes(dataflowId, 20))).toHaveLength(20);

    expect(server.requests).toHaveLength(1);
    expect(endpoint.requests).toHaveLength(20);
  });

  it('renews an expired token with the refresh token, and with the configured grant once the refresh token is refused', async () => {
    const server = await tokenServer({ expiresIn: 1, refreshTokens: true });
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(server.tokenUrl, 'basic') });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    world.startAgent({ env });
    await world.waitForOutcomes(dataflowId, 1);

    await delay(1_100);
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    await world.waitForOutcomes(dataflowId, 2);
    server.revokeRefreshTokens();
    await delay(1_100);
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 3 });
    const outcomes = await world.waitForOutcomes(dataflowId, 3);

    expect(outcomes.map((outcome) => outcome.type)).toEqual(['ExportDelivered', 'ExportDelivered', 'ExportDelivered']);
    expect(server.requests.map((sent) => [sent.form['grant_type'], sent.form['refresh_token'] ?? null])).toEqual([
      ['client_credentials', null],
      ['refresh_token', `refresh-${server.port}-1`],
      ['refresh_token', `refresh-${server.port}-2`],
      ['client_credentials', null],
    ]);
    expect(authorizations(endpoint)).toEqual([`Bearer ${server.issued[0]}`, `Bearer ${server.issued[1]}`, `Bearer ${server.issued[2]}`]);
  });

  it('answered 401, fetches a new token and sends the export again within the same attempt', async () => {
    const server = await tokenServer();
    const endpoint = await protectedReceiver(server);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(server.tokenUrl, 'body-form') });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    world.startAgent({ env });
    await world.waitForOutcomes(dataflowId, 1);

    server.revokeAccessTokens();
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    const outcomes = await world.waitForOutcomes(dataflowId, 2);

    expect(outcomes.map((outcome) => [outcome.type, outcome.data.attempts])).toEqual([
      ['ExportDelivered', 1],
      ['ExportDelivered', 1],
    ]);
    expect(server.requests).toHaveLength(2);
    expect(endpoint.requests.map((request) => [request.headers['x-export-sequence'], request.headers.authorization])).toEqual([
      ['1', `Bearer ${server.issued[0]}`],
      ['2', `Bearer ${server.issued[0]}`],
      ['2', `Bearer ${server.issued[1]}`],
    ]);
  });

  it('fails the export when the endpoint answers 401 to the new token too, without retrying it', async () => {
    const server = await tokenServer();
    const endpoint = await startHttpReceiver({ respond: () => ({ status: 401 }) });
    servers.push(endpoint);
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: clientCredentials(server.tokenUrl, 'body-form') });
    await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    world.startAgent({ env });
    const [outcome] = await world.waitForOutcomes(dataflowId, 1);

    expect(outcome).toEqual({
      type: 'ExportFailed',
      data: expect.objectContaining({ status: 401, attempts: 1, reason: 'the endpoint answered HTTP 401 even to a newly issued OAuth token, which is not retried' }),
    });
    expect(endpoint.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${server.issued[0]}`, `Bearer ${server.issued[1]}`]);
  });
});
