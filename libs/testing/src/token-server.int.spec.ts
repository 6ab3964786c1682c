import { describe, expect, it } from 'vitest';
import { startHttpReceiver } from './http-receiver.ts';
import { startTokenServer } from './token-server.ts';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

describe('startTokenServer', () => {
  it('issues tokens and records each request: query, content type, form and decoded Basic credentials', async () => {
    await using server = await startTokenServer({ expiresIn: 120, refreshTokens: true, clients: { 'my:client': 'sé cret' } });
    const basic = Buffer.from('my%3Aclient:s%C3%A9+cret').toString('base64');

    const response = await post(`${server.tokenUrl}?a=1&b=2`, form({ grant_type: 'client_credentials', scope: 'x y' }), { authorization: `Basic ${basic}` });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ access_token: server.issued[0], token_type: 'Bearer', expires_in: 120, refresh_token: `refresh-${server.port}-1` });
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: '/token?a=1&b=2',
      query: { a: '1', b: '2' },
      contentType: 'application/x-www-form-urlencoded',
      form: { grant_type: 'client_credentials', scope: 'x y' },
      basic: { clientId: 'my:client', clientSecret: 'sé cret' },
    });
    expect(server.isValid(server.issued[0]!)).toBe(true);
  });

  it('refuses a wrong client secret, an unknown refresh token and a wrong password', async () => {
    await using server = await startTokenServer({ clients: { c: 's' }, users: { u: 'p' } });
    const refused = async (fields: Record<string, string>) => (await (await post(server.tokenUrl, form(fields))).json()) as { error: string };

    expect(await refused({ grant_type: 'client_credentials', client_id: 'c', client_secret: 'wrong' })).toMatchObject({ error: 'invalid_client' });
    expect(await refused({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'c', client_secret: 's' })).toMatchObject({ error: 'invalid_grant' });
    expect(await refused({ grant_type: 'password', username: 'u', password: 'x', client_id: 'c', client_secret: 's' })).toMatchObject({ error: 'invalid_grant' });
    expect(server.issued).toEqual([]);
  });

  it('answers with the configured failure', async () => {
    await using server = await startTokenServer({ mode: 'no_access_token' });
    expect(await (await post(server.tokenUrl, form({ grant_type: 'client_credentials' }))).json()).toEqual({ token_type: 'Bearer', expires_in: 3600 });
    server.set({ mode: 'not_json' });
    expect(await (await post(server.tokenUrl, form({ grant_type: 'client_credentials' }))).text()).toContain('<html>');
    server.set({ mode: 'invalid_client' });
    expect((await post(server.tokenUrl, form({ grant_type: 'client_credentials' }))).status).toBe(400);
  });

  it('protects a receiver: 401 without a valid token, the answer with one, 401 again once revoked', async () => {
    await using server = await startTokenServer();
    await using receiver = await startHttpReceiver({ respond: server.protect(() => ({ status: 204 })) });
    const token = ((await (await post(server.tokenUrl, form({ grant_type: 'client_credentials' }))).json()) as { access_token: string }).access_token;
    const call = async (authorization?: string) => (await fetch(receiver.url, { method: 'POST', headers: authorization ? { authorization } : {} })).status;

    expect([await call(), await call('Bearer forged'), await call(`Bearer ${token}`)]).toEqual([401, 401, 204]);
    server.revokeAccessTokens();
    expect(await call(`Bearer ${token}`)).toBe(401);
  });
});
