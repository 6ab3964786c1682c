import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { resolveSecret, SecretResolutionError, type SecretSources } from '../secrets.ts';
import { describeCertificate, InvalidCertificateError, type CertificateInfo } from './certificate-info.ts';

/** Where the agent's client certificate comes from: file paths, and the key's passphrase as a secret reference. */
export interface ClientCertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** `env:NAME` or `file:/path`, when the key file is encrypted. */
  readonly keyPassphrase?: string;
}

/** What an mTLS connection presents: PEM certificate (and any chain after it), PEM key, its passphrase. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
  readonly passphrase?: string;
}

/**
 * The agent's client certificate as loaded at start. `unusable` keeps the agent running: only the
 * destinations with mTLS switched on fail, with this reason (it never quotes a key or passphrase).
 */
export type ClientCertificateState =
  | { readonly kind: 'none' }
  | { readonly kind: 'loaded'; readonly certificate: ClientCertificate; readonly info: CertificateInfo }
  | { readonly kind: 'unusable'; readonly reason: string };

/** Whether destinations with mTLS on can be served, and why not. */
export type ClientCertificateAvailability = { readonly available: true } | { readonly available: false; readonly reason: string };

export const noClientCertificate: ClientCertificateAvailability = {
  available: false,
  reason: 'this delivery agent has no client certificate: set SPILLWAY_CLIENT_CERT_FILE and SPILLWAY_CLIENT_KEY_FILE',
};

export function clientCertificateAvailability(state: ClientCertificateState): ClientCertificateAvailability {
  switch (state.kind) {
    case 'none':
      return noClientCertificate;
    case 'loaded':
      return { available: true };
    case 'unusable':
      return { available: false, reason: `the agent's client certificate cannot be used: ${state.reason}` };
    default:
      return unreachable(state);
  }
}

/** Reads and checks the certificate and key (they must belong together); never throws. */
export function loadClientCertificate(files: ClientCertificateFiles | undefined, sources: SecretSources): ClientCertificateState {
  if (files === undefined) return { kind: 'none' };
  try {
    const cert = readFile(files.certFile, 'certificate file', sources);
    const info = describeCertificate(cert);
    const key = readFile(files.keyFile, 'key file', sources);
    const passphrase = files.keyPassphrase === undefined ? undefined : resolveSecret(files.keyPassphrase, sources);
    const privateKey = parseKey(key, passphrase, files.keyFile);
    if (!new X509Certificate(cert).checkPrivateKey(privateKey)) {
      return { kind: 'unusable', reason: `the key in ${files.keyFile} does not belong to the certificate in ${files.certFile}` };
    }
    return { kind: 'loaded', certificate: { cert, key, ...(passphrase === undefined ? {} : { passphrase }) }, info };
  } catch (error) {
    return { kind: 'unusable', reason: describeLoadFailure(error, files) };
  }
}

class ClientCertificateFileError extends Error {
  override readonly name = 'ClientCertificateFileError';
}

function readFile(path: string, what: string, sources: SecretSources): string {
  try {
    return sources.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new ClientCertificateFileError(`the client ${what} ${path} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

function parseKey(key: string, passphrase: string | undefined, keyFile: string): KeyObject {
  if (passphrase === undefined && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key)) {
    throw new ClientCertificateFileError(`the client key file ${keyFile} is encrypted: set SPILLWAY_CLIENT_KEY_PASSPHRASE`);
  }
  try {
    return createPrivateKey(passphrase === undefined ? { key } : { key, passphrase });
  } catch {
    const why = passphrase === undefined ? 'is not a PEM private key' : 'is not a PEM private key, or the passphrase does not decrypt it';
    throw new ClientCertificateFileError(`the client key file ${keyFile} ${why}`);
  }
}

function describeLoadFailure(error: unknown, files: ClientCertificateFiles): string {
  if (error instanceof ClientCertificateFileError) return error.message;
  if (error instanceof InvalidCertificateError) return `the client certificate file ${files.certFile} holds no PEM certificate`;
  if (error instanceof SecretResolutionError) return `the client key passphrase: ${error.message}`;
  return `the client certificate cannot be loaded (${error instanceof Error ? error.name : 'unknown error'})`;
}

function unreachable(value: never): never {
  throw new Error(`unexpected client certificate state ${JSON.stringify(value)}`);
}
