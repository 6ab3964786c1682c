import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { permissionSchema, type Permission } from './permissions.ts';

/**
 * The keys file (SPILLWAY_API_KEYS_FILE): only each key's SHA-256 is stored. A key is 32 random
 * bytes, so a fast hash is enough (a slow one such as scrypt protects low-entropy passwords).
 */
export const apiKeyEntrySchema = z.strictObject({
  name: z.string().min(1, { error: 'must not be empty' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be the hex SHA-256 of the key' }),
  permissions: z.array(permissionSchema),
  createdAt: z.string().optional(),
});
export const apiKeysFileSchema = z.strictObject({ keys: z.array(apiKeyEntrySchema) });

export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;
export type ApiKeysFile = z.infer<typeof apiKeysFileSchema>;

export class InvalidKeysFileError extends Error {
  readonly type = 'invalid-keys-file';
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`API keys file ${file} is not valid: ${reason}`);
    this.name = 'InvalidKeysFileError';
    this.file = file;
  }
}

export const keyPrefix = 'spw_';

export function generateApiKey(): string {
  return keyPrefix + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface Caller {
  readonly name: string;
  readonly permissions: ReadonlySet<Permission>;
}

/** The entry whose hash matches the key, compared in constant time. */
export function findCaller(file: ApiKeysFile, key: string): Caller | undefined {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const entry = file.keys.find((candidate) => timingSafeEqual(Buffer.from(candidate.sha256, 'hex'), presented));
  return entry ? { name: entry.name, permissions: new Set(entry.permissions) } : undefined;
}

export async function readKeysFile(file: string): Promise<ApiKeysFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [] };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidKeysFileError(file, 'not JSON');
  }
  const parsed = apiKeysFileSchema.safeParse(json);
  if (!parsed.success) throw new InvalidKeysFileError(file, parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return parsed.data;
}

/** Reads the keys file again when it changed, so a key created while the API runs works at once. */
export function createKeyring(file: string) {
  let cached: { mtimeMs: number; size: number; keys: ApiKeysFile } | undefined;
  const current = async (): Promise<ApiKeysFile> => {
    const info = await stat(file).catch(() => undefined);
    if (!info) return { keys: [] };
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.keys;
    const keys = await readKeysFile(file);
    cached = { mtimeMs: info.mtimeMs, size: info.size, keys };
    return keys;
  };
  return { authenticate: async (key: string): Promise<Caller | undefined> => findCaller(await current(), key) };
}

export type Keyring = ReturnType<typeof createKeyring>;

/** Adds a new key to the file (created if missing) and returns the key: the only time it is seen. */
export async function createApiKey(file: string, name: string, granted: readonly Permission[], now: Date): Promise<string> {
  const existing = await readKeysFile(file);
  if (existing.keys.some((entry) => entry.name === name)) throw new InvalidKeysFileError(file, `a key named '${name}' exists already`);
  const key = generateApiKey();
  const entry: ApiKeyEntry = { name, sha256: hashApiKey(key), permissions: [...new Set(granted)], createdAt: now.toISOString() };
  const next: ApiKeysFile = { keys: [...existing.keys, entry] };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return key;
}
