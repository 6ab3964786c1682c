import { X509Certificate } from 'node:crypto';

/** What a customer needs to recognise and pin the certificate the agent presents. */
export interface CertificateInfo {
  /** The certificate alone (the first one when the file holds a chain). */
  readonly pem: string;
  readonly commonName: string | undefined;
  /** As OpenSSL writes them: `DNS:agent.example.com`, `IP Address:203.0.113.7`. */
  readonly subjectAltNames: readonly string[];
  /** The full subject and issuer, one `KEY=value` per line as Node writes them. */
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  /** ISO 8601. */
  readonly validFrom: string;
  readonly validTo: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (what browsers and openssl show). */
  readonly fingerprintSha256: string;
}

export class InvalidCertificateError extends Error {
  override readonly name = 'InvalidCertificateError';
  readonly type = 'InvalidCertificateError';
  constructor(reason: string) {
    super(`not a PEM X.509 certificate (${reason})`);
  }
}

/** Reads a PEM certificate; throws InvalidCertificateError when it is not one. */
export function describeCertificate(pem: string): CertificateInfo {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new InvalidCertificateError(error instanceof Error ? error.message : String(error));
  }
  return {
    pem: certificate.toString(),
    commonName: commonNameOf(certificate.subject),
    subjectAltNames: splitAltNames(certificate.subjectAltName),
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    validFrom: certificate.validFromDate.toISOString(),
    validTo: certificate.validToDate.toISOString(),
    fingerprintSha256: certificate.fingerprint256,
  };
}

function commonNameOf(subject: string): string | undefined {
  const line = subject.split('\n').find((entry) => entry.startsWith('CN='));
  return line?.slice('CN='.length);
}

// Node quotes an entry holding a comma in JSON string syntax, so a plain split would cut it.
function splitAltNames(altNames: string | undefined): string[] {
  if (altNames === undefined || altNames === '') return [];
  return altNames.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g)?.map((entry) => entry.trim()) ?? [];
}
