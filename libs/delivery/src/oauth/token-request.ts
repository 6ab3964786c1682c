import type { OAuthDeliveryAuth } from '../target.ts';
import { userAgent } from '../export-http-request.ts';

/** Which grant a token request makes: the configured one, or a renewal with the server's refresh token. */
export type TokenGrant = { readonly kind: 'configured' } | { readonly kind: 'refresh'; readonly refreshToken: string };

/** A token request, ready to send: always a form POST to the token URL exactly as configured. */
export interface TokenRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `application/x-www-form-urlencoded`. */
  readonly body: string;
}

/**
 * product.md section 3. The body starts with the grant's own fields in the spec's order
 * (`grant_type=client_credentials&client_id=..&client_secret=..`), then `scope`, `audience` and
 * the extra parameters. The token URL is used as written, whatever its query string holds.
 */
export function buildTokenRequest(auth: OAuthDeliveryAuth, grant: TokenGrant): TokenRequest {
  const form = new URLSearchParams();
  switch (grant.kind) {
    case 'configured':
      if (auth.type === 'oauth2-client-credentials') {
        form.append('grant_type', 'client_credentials');
      } else {
        form.append('grant_type', 'password');
        form.append('username', auth.username);
        form.append('password', auth.password);
      }
      break;
    case 'refresh':
      form.append('grant_type', 'refresh_token');
      form.append('refresh_token', grant.refreshToken);
      break;
    default:
      assertNever(grant);
  }
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'user-agent': userAgent,
  };
  if (auth.credentialsType === 'basic') {
    headers['authorization'] = basicAuthorization(auth.clientId, auth.clientSecret);
  } else {
    form.append('client_id', auth.clientId);
    form.append('client_secret', auth.clientSecret);
  }
  if (auth.scope !== undefined) form.append('scope', auth.scope);
  if (auth.audience !== undefined) form.append('audience', auth.audience);
  for (const [name, value] of Object.entries(auth.extraTokenParams)) form.append(name, value);
  return { url: auth.tokenUrl, headers, body: form.toString() };
}

/**
 * RFC 6749 section 2.3.1: the client id and secret are each form-urlencoded before they are
 * joined with `:` and base64-encoded, so a `:` or non-ASCII character in either survives.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}

export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function assertNever(value: never): never {
  throw new Error(`unexpected token grant ${JSON.stringify(value)}`);
}
