import { describe, expect, it } from 'vitest';
import { isRetryableErrorCode } from '../outcome.ts';
import { describeTlsFailure, tlsFailureKind } from './tls-errors.ts';

describe('TLS failures', () => {
  it.each(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'])(
    'given %s, the endpoint certificate was rejected, naming the code and the CA setting, not retried',
    (code) => {
      expect(tlsFailureKind(code)).toBe('server-certificate-rejected');
      expect(describeTlsFailure(code)).toContain(`rejected with ${code} (`);
      expect(describeTlsFailure(code)).toContain('SPILLWAY_CA_FILE');
      expect(isRetryableErrorCode(code)).toBe(false);
    },
  );

  it('given the endpoint asking for a client certificate, points at the mTLS switch', () => {
    expect(tlsFailureKind('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toBe('handshake-refused-by-endpoint');
    expect(describeTlsFailure('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toContain('requires a client certificate: switch mTLS on');
    expect(describeTlsFailure('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')).toContain('trusts the agent');
    expect(isRetryableErrorCode('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toBe(false);
  });

  it('leaves other codes alone', () => {
    expect(describeTlsFailure('ECONNREFUSED')).toBeUndefined();
    expect(tlsFailureKind('ETIMEDOUT')).toBeUndefined();
  });
});
