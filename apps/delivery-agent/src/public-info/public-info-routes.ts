import type { ClientCertificateState } from '@spillway/delivery';

/** What the agent publishes so customers can validate and allowlist it. */
export interface PublicInfo {
  readonly clientCertificate: ClientCertificateState;
  readonly egressAddresses: readonly string[];
}

export interface PublicInfoAnswer {
  readonly status: number;
  readonly contentType: 'application/json' | 'application/x-pem-file';
  readonly body: string;
}

export const publicInfoPaths = ['/certificate', '/certificate.pem', '/egress-addresses'] as const;

/** Answers one request; pure, so each route is tested without a socket. */
export function answerPublicInfo(method: string, path: string, info: PublicInfo): PublicInfoAnswer {
  if (method !== 'GET' && method !== 'HEAD') return problem(405, 'method-not-allowed', `${method} is not allowed: these endpoints are read-only (GET)`);
  switch (path) {
    case '/certificate':
    case '/certificate.pem':
      return certificate(info.clientCertificate, path === '/certificate.pem');
    case '/egress-addresses':
      return json(200, { addresses: info.egressAddresses });
    default:
      return problem(404, 'not-found', `no such endpoint: ${path.slice(0, 200)}; the agent serves ${publicInfoPaths.join(', ')}`);
  }
}

function certificate(state: ClientCertificateState, pemOnly: boolean): PublicInfoAnswer {
  switch (state.kind) {
    case 'none':
      return problem(404, 'no-client-certificate', 'this delivery agent has no client certificate configured (SPILLWAY_CLIENT_CERT_FILE, SPILLWAY_CLIENT_KEY_FILE), so it presents none');
    case 'unusable':
      // The reason names files on the agent's host: it is in the agent's log, not on a public endpoint.
      return problem(503, 'client-certificate-unusable', "this delivery agent's client certificate is configured but cannot be used; the agent's log says why");
    case 'loaded': {
      const { info } = state;
      if (pemOnly) return { status: 200, contentType: 'application/x-pem-file', body: info.pem };
      const { pem, commonName, subjectAltNames, validFrom, validTo, fingerprintSha256, subject, issuer, serialNumber } = info;
      return json(200, { pem, commonName: commonName ?? null, subjectAltNames, validFrom, validTo, fingerprintSha256, subject, issuer, serialNumber });
    }
    default: {
      const unknown: never = state;
      throw new Error(`unexpected client certificate state ${JSON.stringify(unknown)}`);
    }
  }
}

function json(status: number, value: unknown): PublicInfoAnswer {
  return { status, contentType: 'application/json', body: `${JSON.stringify(value, null, 2)}\n` };
}

function problem(status: number, error: string, message: string): PublicInfoAnswer {
  return json(status, { error, message });
}
