import { describe, expect, it } from 'vitest';
import { resolveSecret, SecretResolutionError, type SecretSources } from './secrets.ts';

const enoent = () => Object.assign(new Error('nope'), { code: 'ENOENT' });
const sources = (env: Record<string, string>, files: Record<string, string> = {}): SecretSources => ({
  env,
  readFile: (path) => {
    const content = files[path];
    if (content === undefined) throw enoent();
    return content;
  },
});

function failure(run: () => unknown): SecretResolutionError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretResolutionError) return error;
    throw error;
  }
  throw new Error('expected a SecretResolutionError');
}

describe('resolveSecret', () => {
  it('reads env:NAME from the environment', () => {
    expect(resolveSecret('env:API_TOKEN', sources({ API_TOKEN: 'abc' }))).toBe('abc');
  });

  it('reads file:/path and trims the trailing newline only', () => {
    expect(resolveSecret('file:/run/secrets/token', sources({}, { '/run/secrets/token': '  abc def \r\n' }))).toBe('  abc def ');
  });

  it('names the missing variable', () => {
    const error = failure(() => resolveSecret('env:API_TOKEN', sources({})));
    expect(error).toMatchObject({ type: 'SecretResolutionError', kind: 'env', reference: 'API_TOKEN', message: 'secret env:API_TOKEN is not set' });
  });

  it('names the missing file', () => {
    const error = failure(() => resolveSecret('file:/run/secrets/token', sources({})));
    expect(error).toMatchObject({ kind: 'file', reference: '/run/secrets/token', message: 'secret file:/run/secrets/token does not exist' });
  });

  it('refuses an empty secret', () => {
    expect(failure(() => resolveSecret('env:T', sources({ T: '' }))).message).toBe('secret env:T is empty');
    expect(failure(() => resolveSecret('file:/t', sources({}, { '/t': '\n' }))).message).toBe('secret file:/t is empty');
  });

  it('never repeats a value that is not a reference (it may be a pasted secret)', () => {
    const error = failure(() => resolveSecret('sk_live_very_secret', sources({})));
    expect(error.kind).toBe('invalid');
    expect(error.message).toBe('secret reference must be env:NAME or file:/absolute/path');
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('sk_live');
  });

  it('wants an absolute path', () => {
    expect(failure(() => resolveSecret('file:secrets/token', sources({}))).message).toBe('secret reference file: must be followed by an absolute path');
  });
});
