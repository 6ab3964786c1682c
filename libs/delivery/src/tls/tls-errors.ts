/**
 * TLS failures of an export connection, by Node's error code. Both kinds need someone to change a
 * configuration (a CA, a certificate, the destination's mTLS switch), so they are not retried:
 * `isRetryableErrorCode` does not list them.
 */
export type TlsFailureKind = 'server-certificate-rejected' | 'handshake-refused-by-endpoint';

// OpenSSL's X.509 verification results as Node names them, plus Node's own host name check.
const serverCertificateCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function tlsFailureKind(errorCode: string): TlsFailureKind | undefined {
  if (serverCertificateCodes.has(errorCode)) return 'server-certificate-rejected';
  // An alert from the endpoint during the handshake, e.g. ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED.
  if (/^ERR_SSL_.*ALERT/.test(errorCode)) return 'handshake-refused-by-endpoint';
  return undefined;
}

/** A sentence for an ExportFailed reason, or undefined when the code is not a TLS failure. */
export function describeTlsFailure(errorCode: string): string | undefined {
  const kind = tlsFailureKind(errorCode);
  switch (kind) {
    case undefined:
      return undefined;
    case 'server-certificate-rejected':
      return `the endpoint's TLS certificate was rejected with ${errorCode} (it must be valid, name the endpoint's host and be signed by a CA the agent trusts: the system's or SPILLWAY_CA_FILE)`;
    case 'handshake-refused-by-endpoint':
      return errorCode.includes('CERTIFICATE_REQUIRED')
        ? `the endpoint refused the TLS handshake with ${errorCode} (it requires a client certificate: switch mTLS on for this destination)`
        : `the endpoint refused the TLS handshake with ${errorCode} (check the destination's mTLS switch and that the endpoint trusts the agent's client certificate)`;
    default: {
      const unknown: never = kind;
      throw new Error(`unexpected TLS failure kind ${String(unknown)}`);
    }
  }
}
