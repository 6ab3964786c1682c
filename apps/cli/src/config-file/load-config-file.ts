import { readFile } from 'node:fs/promises';
import { ConfigFileError } from '../cli/errors.ts';
import { configFormatOf, parseConfigText, type Locate } from './parse-config-text.ts';
import type { DesiredConfig } from './desired-config.ts';

const maxFileBytes = 10 * 1024 * 1024;

/** Reads and validates a config file; throws ConfigFileError (named as the user wrote it) when it cannot be used. */
export async function loadConfigFile(path: string, shownAs: string): Promise<{ readonly config: DesiredConfig; readonly locate: Locate }> {
  const format = configFormatOf(path);
  if (!format) throw rootError(shownAs, 'must be a .yaml, .yml or .json file');
  const text = await readText(path, shownAs);
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) throw new ConfigFileError(shownAs, parsed.issues);
  return parsed;
}

async function readText(path: string, shownAs: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw rootError(shownAs, describeReadFailure(error));
  }
  if (bytes.length > maxFileBytes) throw rootError(shownAs, `is larger than ${maxFileBytes / 1024 / 1024} MiB`);
  return bytes.toString('utf8');
}

function describeReadFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot be read (${typeof code === 'string' ? code : String(error)})`;
}

function rootError(file: string, message: string): ConfigFileError {
  return new ConfigFileError(file, [{ path: '(root)', line: undefined, message }]);
}
