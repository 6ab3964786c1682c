/**
 * Configuration carries secret references (`env:NAME`, `file:/absolute/path`), never secrets.
 * They are resolved on the delivery side at run time; the I/O comes in as parameters.
 */
export type SecretReferenceKind = 'env' | 'file';

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a whole file as UTF-8; throws (with a Node error `code`) when it cannot. */
  readonly readFile: (path: string) => string;
}

/** Names the reference and why it failed; never carries the secret (or a mistyped secret) itself. */
export class SecretResolutionError extends Error {
  override readonly name = 'SecretResolutionError';
  readonly type = 'SecretResolutionError';
  readonly kind: SecretReferenceKind | 'invalid';
  readonly reference: string | undefined;
  readonly reason: string;

  constructor(kind: SecretReferenceKind | 'invalid', reference: string | undefined, reason: string) {
    super(reference === undefined ? `secret reference ${reason}` : `secret ${kind}:${reference} ${reason}`);
    this.kind = kind;
    this.reference = reference;
    this.reason = reason;
  }
}

export type SecretReference = { readonly kind: 'env'; readonly name: string } | { readonly kind: 'file'; readonly path: string };

const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a reference; the error never echoes the input, in case a secret was pasted instead. */
export function parseSecretReference(reference: string): SecretReference {
  if (reference.startsWith('env:')) {
    const name = reference.slice('env:'.length);
    if (!envNamePattern.test(name)) throw new SecretResolutionError('invalid', undefined, 'env: must be followed by a variable name (letters, digits, _)');
    return { kind: 'env', name };
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice('file:'.length);
    if (!path.startsWith('/')) throw new SecretResolutionError('invalid', undefined, 'file: must be followed by an absolute path');
    return { kind: 'file', path };
  }
  throw new SecretResolutionError('invalid', undefined, 'must be env:NAME or file:/absolute/path');
}

export function isSecretReference(value: string): boolean {
  try {
    parseSecretReference(value);
    return true;
  } catch {
    return false;
  }
}

export function resolveSecret(reference: string, sources: SecretSources): string {
  const parsed = parseSecretReference(reference);
  switch (parsed.kind) {
    case 'env':
      return resolveEnv(parsed.name, sources);
    case 'file':
      return resolveFile(parsed.path, sources);
    default:
      return unreachable(parsed);
  }
}

function resolveEnv(name: string, sources: SecretSources): string {
  const value = sources.env[name];
  if (value === undefined) throw new SecretResolutionError('env', name, 'is not set');
  if (value === '') throw new SecretResolutionError('env', name, 'is empty');
  return value;
}

function resolveFile(path: string, sources: SecretSources): string {
  let content: string;
  try {
    content = sources.readFile(path);
  } catch (error) {
    throw new SecretResolutionError('file', path, describeReadFailure(error));
  }
  // Editors and `echo` add a final newline that is never part of the secret.
  const value = content.replace(/[\r\n]+$/, '');
  if (value === '') throw new SecretResolutionError('file', path, 'is empty');
  return value;
}

function describeReadFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'is not readable (permission denied)';
  if (code === 'EISDIR') return 'is a directory';
  return typeof code === 'string' ? `cannot be read (${code})` : 'cannot be read';
}

function unreachable(value: never): never {
  throw new Error(`unexpected secret reference ${JSON.stringify(value)}`);
}
