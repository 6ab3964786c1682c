import type { HttpClient } from '../http-client.ts';
import type { TokenRequest } from './token-request.ts';
import { parseTokenResponse, type TokenAnswer } from './token-response.ts';

/** Sends one token request; never throws for what the network or the server does. */
export async function requestToken(client: HttpClient, request: TokenRequest, timeoutMs: number): Promise<TokenAnswer> {
  try {
    const response = await client.got.post(request.url, { headers: { ...request.headers }, body: request.body, timeout: { request: timeoutMs } });
    return parseTokenResponse(response.statusCode, response.body);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ETIMEDOUT') return { ok: false, problem: { kind: 'timeout', timeoutMs } };
    return { ok: false, problem: { kind: 'unreachable', errorCode: typeof code === 'string' && code !== '' ? code : 'UNKNOWN' } };
  }
}
