import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface PostRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** From the start of the request to the end of the answer. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

export interface PostAnswer {
  readonly statusCode: number;
  readonly headers: http.IncomingHttpHeaders;
}

/** The answer did not arrive in time: `ETIMEDOUT`, as got reported it. */
export class RequestTimeoutError extends Error {
  readonly type = 'request-timeout';
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`Timeout awaiting 'request' for ${timeoutMs}ms`);
    this.name = 'RequestTimeoutError';
  }
}

export type Post = (url: string, request: PostRequest) => Promise<PostAnswer>;

/**
 * One POST over the client's keep-alive agents with node:http itself. got cost about 0.4 ms of
 * CPU per request (its options, hooks and streams), which made it the largest single cost of a
 * delivered export; this costs about a quarter of that. The body of the answer is read and
 * dropped; network errors keep their Node code (ECONNREFUSED, ECONNRESET, TLS codes).
 */
export function createPost(agents: { readonly http: http.Agent; readonly https: https.Agent }, lookup: LookupFunction | undefined): Post {
  return (url, request) =>
    new Promise<PostAnswer>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      let settled = false;
      const timer = setTimeout(() => {
        settle(() => reject(new RequestTimeoutError(request.timeoutMs)));
        sent.destroy();
      }, request.timeoutMs);
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const options: https.RequestOptions = {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        ...(lookup ? { lookup } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      };
      const sent = (secure ? https : http).request(target, options, (response) => {
        response.on('error', (error) => settle(() => reject(error)));
        response.on('end', () => settle(() => resolve({ statusCode: response.statusCode ?? 0, headers: response.headers })));
        response.on('close', () => {
          if (!response.complete) settle(() => reject(Object.assign(new Error('the connection closed before the end of the answer'), { code: 'ECONNRESET' })));
        });
        response.resume();
      });
      sent.on('error', (error) => settle(() => reject(error)));
      sent.end(request.body);
    });
}
