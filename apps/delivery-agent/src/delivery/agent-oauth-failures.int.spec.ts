import { startHttpReceiver, startTokenServer, type HttpReceiver, type TokenServer, type TokenServerSettings } from '@spillway/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentWorld, type AgentWorld } from '../test-setup/agent-harness.ts';

const clientSecret = 'cs-5e0b-client-secret';
const env = { SPILLWAY_TEST_CLIENT_SECRET: clientSecret };

let world: AgentWorld;
const servers: { close(): Promise<void> }[] = [];
beforeEach(async () => {
  world = await createAgentWorld();
});
afterEach(async () => {
  await world.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function tokenServer(settings: Partial<TokenServerSettings>): Promise<TokenServer> {
  const server = await startTokenServer(settings);
  servers.push(server);
  return server;
}
async function receiver(): Promise<HttpReceiver> {
  const started = await startHttpReceiver();
  servers.push(started);
  return started;
}
/** A token URL nothing listens on. */
async function downTokenUrl(): Promise<string> {
  const server = await startTokenServer();
  await server.close();
  return `${server.tokenUrl}?tenant=eu&key=not-in-any-reason`;
}

const oauth = (tokenUrl: string) =>
  ({ type: 'oauth2-client-credentials', tokenUrl, clientId: 'spillway', clientSecret: 'env:SPILLWAY_TEST_CLIENT_SECRET', credentialsType: 'body-form' }) as const;

describe('delivery agent: token server failures', () => {
  it('records why no token could be had for each failing destination, while another destination keeps delivering', async () => {
    const endpoint = await receiver();
    const healthyEndpoint = await receiver();
    const down = await downTokenUrl();
    const slow = await tokenServer({ delayMs: 5_000 });
    const invalidClient = await tokenServer({ mode: 'invalid_client' });
    const noAccessToken = await tokenServer({ mode: 'no_access_token' });
    const notJson = await tokenServer({ mode: 'not_json' });
    const cases = [
      ['down', down, 'OAUTH_TOKEN_UNREACHABLE', 'it refused the connection'],
      ['slow', slow.tokenUrl, 'OAUTH_TOKEN_TIMEOUT', 'it did not answer within 1000 ms'],
      ['invalid-client', invalidClient.tokenUrl, 'OAUTH_TOKEN_REFUSED', 'it answered HTTP 400 invalid_client'],
      ['no-access-token', noAccessToken.tokenUrl, 'OAUTH_TOKEN_INVALID_RESPONSE', 'it answered HTTP 200 without an access_token'],
      ['not-json', notJson.tokenUrl, 'OAUTH_TOKEN_INVALID_RESPONSE', 'it answered HTTP 200 with a body that is not a JSON object'],
    ] as const;
    for (const [label, tokenUrl] of cases) {
      await world.configureDestination({ destinationId: world.id(label), endpoint: endpoint.url, auth: oauth(tokenUrl), timeoutMs: label === 'slow' ? 1_000 : 300 });
      await world.requestExport({ dataflowId: world.id(`${label}-df`), destinationId: world.id(label), profileId: 'p-1', sequence: 1 });
    }
    const [healthy, healthyFlow] = [world.id('healthy'), world.id('healthy-df')];
    await world.configureDestination({ destinationId: healthy, endpoint: healthyEndpoint.url, auth: { type: 'none' } });
    for (let profile = 1; profile <= 10; profile++) await world.requestExport({ dataflowId: healthyFlow, destinationId: healthy, profileId: `p-${profile}`, sequence: 1 });

    world.startAgent({ env, retry: { attempts: 2, baseDelayMs: 20 } });

    expect((await world.waitForOutcomes(healthyFlow, 10)).map((outcome) => outcome.type)).toEqual(Array(10).fill('ExportDelivered'));
    // The healthy destination did not wait for the slow token server's first timeout.
    await slow.waitForRequests(1);
    expect(Math.max(...healthyEndpoint.requests.map((request) => request.receivedAt))).toBeLessThan(slow.requests[0]!.receivedAt + 1_000);
    for (const [label, tokenUrl, errorCode, what] of cases) {
      const host = new URL(tokenUrl).host;
      expect(await world.waitForOutcomes(world.id(`${label}-df`), 1)).toEqual([
        {
          type: 'ExportFailed',
          data: expect.objectContaining({
            destinationId: world.id(label),
            attempts: 2,
            errorCode,
            reason: `gave up after 2 attempts: on the last one no OAuth token for destination '${world.id(label)}' from the token server ${host}: ${what}`,
          }),
        },
      ]);
    }
    expect(endpoint.requests).toHaveLength(0);
    expect(invalidClient.requests).toHaveLength(2);
    const warnings = world.logs.filter((entry) => entry.message === 'OAuth token request failed').map((entry) => entry.destinationId);
    expect(new Set(warnings)).toEqual(new Set(cases.map(([label]) => world.id(label))));
    expect(world.logText()).not.toContain(clientSecret);
    expect(world.logText()).not.toContain('not-in-any-reason');
  });
});
