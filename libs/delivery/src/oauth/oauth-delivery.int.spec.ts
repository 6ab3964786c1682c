import { createLogger } from '@spillway/runtime';
import { refusedAddress, startHttpReceiver, startTokenServer, type HttpReceiver, type TokenServer } from '@spillway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverExport } from '../deliver.ts';
import { createHttpClient, type HttpClient } from '../http-client.ts';
import { deliveryTargetSchema, type DeliveryTarget, type ExportRequest } from '../target.ts';
import { createAuthorizer } from './authorizer.ts';
import { TokenRequestError } from './token-error.ts';
import { createTokenManager } from './token-manager.ts';

const logLines: string[] = [];
const logger = createLogger({ service: 'delivery-test', level: 'debug', write: (line) => logLines.push(line) });
const request: ExportRequest = { exportId: 'exp-1', sequence: 1, dataflowId: 'df-1', profileId: 'p-1', destinationId: 'dest-1', document: { a: 1 } };
const clientSecret = 'client-secret-value';

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((resource) => resource.close()));
  logLines.length = 0;
});

async function tokenServer(...args: Parameters<typeof startTokenServer>): Promise<TokenServer> {
  const server = await startTokenServer(...args);
  opened.push(server);
  return server;
}
async function receiver(...args: Parameters<typeof startHttpReceiver>): Promise<HttpReceiver> {
  const started = await startHttpReceiver(...args);
  opened.push(started);
  return started;
}
function client(): HttpClient {
  const created = createHttpClient();
  opened.push(created);
  return created;
}

function oauthTarget(endpoint: string, tokenUrl: string, extra: Partial<{ timeoutMs: number }> = {}): DeliveryTarget {
  return deliveryTargetSchema.parse({ endpoint, auth: { type: 'oauth2-client-credentials', tokenUrl, clientId: 'spillway', clientSecret, credentialsType: 'body-form' }, ...extra });
}

function manager(target: DeliveryTarget, now?: () => number) {
  if (target.auth.type !== 'oauth2-client-credentials') throw new Error('oauth target expected');
  return createTokenManager({ auth: target.auth, destinationId: 'dest-1', httpClient: client(), timeoutMs: target.timeoutMs, logger, ...(now ? { now } : {}) });
}


describe('token manager', () => {
  it('fetches one token for 20 callers arriving while the token server is slow', async () => {
    const server = await tokenServer({ delayMs: 300 });
    const tokens = manager(oauthTarget('http://127.0.0.1:1/', server.tokenUrl));

    const got = await Promise.all(Array.from({ length: 20 }, () => tokens.token()));

    expect(new Set(got)).toEqual(new Set([server.issued[0]]));
    expect(server.requests).toHaveLength(1);
  });

  it('renews in the background once the token nears its end, still handing out the valid one meanwhile', async () => {
    const server = await tokenServer({ expiresIn: 3600 });
    let clock = 1_000_000;
    const tokens = manager(oauthTarget('http://127.0.0.1:1/', server.tokenUrl), () => clock);
    const first = await tokens.token();

    clock += 3_300_000; // 55 min: inside the last 10%
    expect(await tokens.token()).toBe(first);
    await server.waitForRequests(2);
    await expect.poll(() => tokens.token()).toBe(server.issued[1]);
    expect(server.requests).toHaveLength(2);
  });

  it('renews with the refresh token, and falls back to the configured grant when the refresh token is refused', async () => {
    const server = await tokenServer({ expiresIn: 60, refreshTokens: true });
    let clock = 0;
    const tokens = manager(oauthTarget('http://127.0.0.1:1/', server.tokenUrl), () => clock);
    await tokens.token();
    clock += 61_000;
    expect(await tokens.token()).toBe(server.issued[1]);
    server.revokeRefreshTokens();
    clock += 61_000;
    expect(await tokens.token()).toBe(server.issued[2]);

    expect(server.requests.map((sent) => [sent.form['grant_type'], sent.form['refresh_token'] ?? null])).toEqual([
      ['client_credentials', null],
      ['refresh_token', `refresh-${server.port}-1`],
      ['refresh_token', `refresh-${server.port}-2`],
      ['client_credentials', null],
    ]);
  });

  it('after an invalidation fetches a new token once, however many callers report the same rejected one', async () => {
    const server = await tokenServer();
    const tokens = manager(oauthTarget('http://127.0.0.1:1/', server.tokenUrl));
    const rejected = await tokens.token();
    tokens.invalidate(rejected);
    tokens.invalidate(rejected);
    const [a, b] = await Promise.all([tokens.token(), tokens.token()]);
    tokens.invalidate(rejected);

    expect([a, b, await tokens.token()]).toEqual([server.issued[1], server.issued[1], server.issued[1]]);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['invalid_client', { mode: 'invalid_client' } as const, 'OAUTH_TOKEN_REFUSED', 'it answered HTTP 400 invalid_client'],
    ['no access_token', { mode: 'no_access_token' } as const, 'OAUTH_TOKEN_INVALID_RESPONSE', 'it answered HTTP 200 without an access_token'],
    ['not JSON', { mode: 'not_json' } as const, 'OAUTH_TOKEN_INVALID_RESPONSE', 'it answered HTTP 200 with a body that is not a JSON object'],
    ['slow', { delayMs: 1_000 }, 'OAUTH_TOKEN_TIMEOUT', 'it did not answer within 200 ms'],
  ])('names the destination and the token host when the token server is %s, never the secret', async (_, settings, code, what) => {
    const server = await tokenServer(settings);
    const tokens = manager(oauthTarget('http://127.0.0.1:1/', `${server.tokenUrl}?key=hidden`, { timeoutMs: 200 }));

    const error = await tokens.token().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TokenRequestError);
    expect(error).toMatchObject({ code, message: `no OAuth token for destination 'dest-1' from the token server 127.0.0.1:${server.port}: ${what}` });
    expect(logLines.join('\n')).toContain(what);
    expect(logLines.join('\n')).not.toMatch(/client-secret-value|hidden/);
  });

  it('says so when the token server is down', async () => {
    const { host, port } = await refusedAddress();
    const tokens = manager(oauthTarget('http://127.0.0.1:1/', `http://${host}:${port}/token`));
    await expect(tokens.token()).rejects.toThrow(`no OAuth token for destination 'dest-1' from the token server ${host}:${port}: it refused the connection`);
  });
});

describe('deliverExport with OAuth', () => {
  it('sends the issued token, and after a 401 a new one, once, within the same attempt', async () => {
    const server = await tokenServer();
    const endpoint = await receiver({ respond: server.protect() });
    const target = oauthTarget(endpoint.url, server.tokenUrl);
    const authorizer = createAuthorizer(target, { destinationId: 'dest-1', httpClient: client(), logger });

    expect(await deliverExport(request, target, { logger, authorizer })).toMatchObject({ kind: 'delivered' });
    server.revokeAccessTokens();
    expect(await deliverExport(request, target, { logger, authorizer })).toMatchObject({ kind: 'delivered' });

    expect(endpoint.requests.map((received) => [received.headers.authorization, received.headers['x-export-id']])).toEqual([
      [`Bearer ${server.issued[0]}`, 'exp-1'],
      [`Bearer ${server.issued[0]}`, 'exp-1'],
      [`Bearer ${server.issued[1]}`, 'exp-1'],
    ]);
    expect(authorizer.tokenRequests()).toBe(2);
  });

  it('ends the attempt with the second 401: not retryable, marked as answered to a new token', async () => {
    const server = await tokenServer();
    const endpoint = await receiver({ respond: () => ({ status: 401 }) });
    const target = oauthTarget(endpoint.url, server.tokenUrl);

    const outcome = await deliverExport(request, target, { logger, authorizer: createAuthorizer(target, { destinationId: 'dest-1', httpClient: client(), logger }) });

    expect(outcome).toMatchObject({ kind: 'failed', failure: 'status', status: 401, retryable: false, tokenRenewed: true });
    expect(endpoint.requests).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('does not send again on a 401 to a fixed bearer token', async () => {
    const endpoint = await receiver({ respond: () => ({ status: 401 }) });
    const target = deliveryTargetSchema.parse({ endpoint: endpoint.url, auth: { type: 'bearer', token: 'fixed' } });

    expect(await deliverExport(request, target, { logger })).toMatchObject({ kind: 'failed', status: 401, retryable: false });
    expect(endpoint.requests).toHaveLength(1);
  });

  it('reports a token failure as a retryable outcome without contacting the endpoint', async () => {
    const server = await tokenServer({ mode: 'invalid_client' });
    const endpoint = await receiver();
    const target = oauthTarget(endpoint.url, server.tokenUrl);

    const outcome = await deliverExport(request, target, { logger });

    expect(outcome).toMatchObject({ kind: 'failed', failure: 'token', errorCode: 'OAUTH_TOKEN_REFUSED', retryable: true });
    expect(endpoint.requests).toHaveLength(0);
  });
});
