import { createPrivateKey, generateKeyPair, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** A certificate with its private key, as PEM strings and as files in the PKI's directory. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A certificate authority: its certificate (to trust) and key (kept for signing). */
export type TestAuthority = TestCertificate;

export interface TestPki {
  /** The temporary directory holding every file. */
  readonly dir: string;
  /** `Spillway Test CA`: signs `server` and `client`. */
  readonly ca: TestAuthority;
  /** CN=localhost, SAN DNS:localhost and IP:127.0.0.1, serverAuth. */
  readonly server: TestCertificate;
  /** CN=spillway-test-client, O=Spillway, SAN DNS:spillway-test-client.example, clientAuth. */
  readonly client: TestCertificate;
  /** The client key encrypted with `encryptedClientKey.passphrase` (PKCS#8, AES-256-CBC). */
  readonly encryptedClientKey: { readonly key: string; readonly keyFile: string; readonly passphrase: string };
  /** A second CA nobody trusts, with a client and a server certificate of the same names: for negative tests. */
  readonly untrusted: { readonly ca: TestAuthority; readonly server: TestCertificate; readonly client: TestCertificate };
  /** Deletes the directory. */
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const testClientCommonName = 'spillway-test-client';
export const testClientDnsName = 'spillway-test-client.example';

const generateRsaKeyPair = promisify(generateKeyPair);
const hourMs = 3_600_000;

interface KeyPair {
  readonly privateKeyPem: string;
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

interface Subject {
  readonly commonName: string;
  readonly organization?: string;
}

interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly keys: KeyPair;
}

/**
 * A fresh PKI for one test file, made at run time (nothing secret is committed): a CA, a server
 * certificate for 127.0.0.1 / localhost, a client certificate, and an untrusted CA with its own
 * client and server certificates. Keys are RSA 2048 made by node:crypto; certificates are built
 * and signed by node-forge (Node has no X.509 writer), valid from an hour ago for `validDays`.
 */
export async function createTestPki(
  options: {
    readonly validDays?: number;
    readonly now?: Date;
    /** Encrypts `encryptedClientKey` with this. @defaultValue a random one */
    readonly keyPassphrase?: string;
  } = {},
): Promise<TestPki> {
  const now = options.now ?? new Date();
  const validity = { notBefore: new Date(now.getTime() - hourMs), notAfter: new Date(now.getTime() + (options.validDays ?? 2) * 24 * hourMs) };
  const [caKeys, serverKeys, clientKeys, otherCaKeys, otherServerKeys, otherClientKeys] = await Promise.all(Array.from({ length: 6 }, () => newKeyPair()));

  const ca = issueAuthority({ commonName: 'Spillway Test CA', organization: 'Spillway' }, caKeys!, validity);
  const server = issueServer(ca, serverKeys!, validity);
  const client = issueClient(ca, clientKeys!, validity);
  const otherCa = issueAuthority({ commonName: 'Untrusted Test CA', organization: 'Elsewhere' }, otherCaKeys!, validity);
  const otherServer = issueServer(otherCa, otherServerKeys!, validity);
  const otherClient = issueClient(otherCa, otherClientKeys!, validity);

  const dir = await mkdtemp(join(tmpdir(), 'spillway-pki-'));
  const save = async (name: string, issued: Issued): Promise<TestCertificate> => {
    // forge writes CRLF; Node and openssl write LF.
    const cert = forge.pki.certificateToPem(issued.cert).replace(/\r\n/g, '\n');
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    await writeFile(certFile, cert);
    await writeFile(keyFile, issued.keys.privateKeyPem, { mode: 0o600 });
    return { cert, key: issued.keys.privateKeyPem, certFile, keyFile };
  };
  const passphrase = options.keyPassphrase ?? randomBytes(12).toString('hex');
  const encryptedKey = createPrivateKey(clientKeys!.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
  const encryptedKeyFile = join(dir, 'client.encrypted.key');
  await writeFile(encryptedKeyFile, encryptedKey, { mode: 0o600 });

  const remove = () => rm(dir, { recursive: true, force: true });
  return {
    dir,
    ca: await save('ca', ca),
    server: await save('server', server),
    client: await save('client', client),
    encryptedClientKey: { key: encryptedKey, keyFile: encryptedKeyFile, passphrase },
    untrusted: { ca: await save('untrusted-ca', otherCa), server: await save('untrusted-server', otherServer), client: await save('untrusted-client', otherClient) },
    remove,
    [Symbol.asyncDispose]: remove,
  };
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  return { privateKeyPem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

type Validity = { readonly notBefore: Date; readonly notAfter: Date };

function issueAuthority(subject: Subject, keys: KeyPair, validity: Validity): Issued {
  const extensions = [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  return issue({ subject, keys, validity, extensions });
}

function issueServer(issuer: Issued, keys: KeyPair, validity: Validity): Issued {
  const extensions = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ];
  return issue({ subject: { commonName: 'localhost' }, keys, validity, extensions, issuer });
}

function issueClient(issuer: Issued, keys: KeyPair, validity: Validity): Issued {
  const extensions = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: testClientDnsName }] },
  ];
  return issue({ subject: { commonName: testClientCommonName, organization: 'Spillway' }, keys, validity, extensions, issuer });
}

function issue(spec: { subject: Subject; keys: KeyPair; validity: Validity; extensions: object[]; issuer?: Issued }): Issued {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.keys.publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = spec.validity.notBefore;
  cert.validity.notAfter = spec.validity.notAfter;
  cert.setSubject(attributesOf(spec.subject));
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : attributesOf(spec.subject));
  const authorityKey = spec.issuer ? [{ name: 'authorityKeyIdentifier', keyIdentifier: spec.issuer.cert.generateSubjectKeyIdentifier().getBytes() }] : [];
  cert.setExtensions([...spec.extensions, ...authorityKey]);
  cert.sign((spec.issuer ?? spec).keys.privateKey, forge.md.sha256.create());
  return { cert, keys: spec.keys };
}

/**
 * 16 random bytes as a DER INTEGER's content: positive (high bit of the first byte clear) and
 * minimal (first byte not zero). A zero first byte, 1 certificate in 256 before, made OpenSSL
 * refuse the certificate ("illegal padding") and a test fail now and then.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function attributesOf(subject: Subject): forge.pki.CertificateField[] {
  return [{ name: 'commonName', value: subject.commonName }, ...(subject.organization ? [{ name: 'organizationName', value: subject.organization }] : [])];
}

/**
 * `startHttpReceiver({ https })` options for this PKI's server certificate. `required`: the
 * handshake fails without a client certificate signed by the CA; `requested`: the server asks for
 * one but also serves clients without (and records any it gets); `none`: plain TLS.
 */
export function httpsReceiverOptions(pki: TestPki, clientCertificate: 'required' | 'requested' | 'none') {
  const server = { key: pki.server.key, cert: pki.server.cert };
  switch (clientCertificate) {
    case 'required':
      return { ...server, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true };
    case 'requested':
      return { ...server, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false };
    case 'none':
      return server;
    default: {
      const unknown: never = clientCertificate;
      throw new Error(`unexpected client certificate mode ${String(unknown)}`);
    }
  }
}
