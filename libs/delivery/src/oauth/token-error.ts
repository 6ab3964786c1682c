import { describeTokenProblem, type TokenProblem } from './token-response.ts';

export type TokenErrorCode = 'OAUTH_TOKEN_UNREACHABLE' | 'OAUTH_TOKEN_TIMEOUT' | 'OAUTH_TOKEN_REFUSED' | 'OAUTH_TOKEN_INVALID_RESPONSE';

/**
 * No token could be had for a destination. The message names the destination and the token
 * server's host (never the path's query, which may carry a key, nor any credential).
 */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  readonly type = 'TokenRequestError';
  readonly destinationId: string;
  /** `host:port` of the token URL. */
  readonly tokenHost: string;
  readonly problem: TokenProblem;
  readonly code: TokenErrorCode;

  constructor(destinationId: string, tokenUrl: string, problem: TokenProblem) {
    const tokenHost = new URL(tokenUrl).host;
    super(`no OAuth token for destination '${destinationId}' from the token server ${tokenHost}: ${describeTokenProblem(problem)}`);
    this.destinationId = destinationId;
    this.tokenHost = tokenHost;
    this.problem = problem;
    this.code = codeOf(problem);
  }
}

function codeOf(problem: TokenProblem): TokenErrorCode {
  switch (problem.kind) {
    case 'unreachable':
      return 'OAUTH_TOKEN_UNREACHABLE';
    case 'timeout':
      return 'OAUTH_TOKEN_TIMEOUT';
    case 'refused':
      return 'OAUTH_TOKEN_REFUSED';
    case 'invalid-response':
      return 'OAUTH_TOKEN_INVALID_RESPONSE';
    default:
      return assertNever(problem);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected token problem ${JSON.stringify(value)}`);
}
