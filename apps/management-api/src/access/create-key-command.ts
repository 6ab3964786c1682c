import { createApiKey, InvalidKeysFileError } from './api-keys.ts';
import { permissions, permissionSchema, type Permission } from './permissions.ts';

export interface CreateKeyInput {
  readonly name: string | undefined;
  readonly permissions: string | undefined;
  readonly keysFile: string | undefined;
}

const usage = `usage: spillway-api api-keys create --name <name> --permissions <${permissions.join(',')}> [--keys-file <file>] (default $SPILLWAY_API_KEYS_FILE, else ./api-keys.json: the file the API reads)`;

/** `api-keys create`: prints the new key once; the keys file keeps only its SHA-256. */
export async function createKeyCommand(positionals: readonly string[], input: CreateKeyInput): Promise<{ exitCode: number; output: string }> {
  if (positionals[0] !== 'create' || positionals.length !== 1) return { exitCode: 2, output: usage };
  if (!input.name) return { exitCode: 2, output: `--name is required; ${usage}` };
  if (!input.keysFile) return { exitCode: 2, output: `--keys-file or SPILLWAY_API_KEYS_FILE is required; ${usage}` };
  const granted: Permission[] = [];
  for (const item of (input.permissions ?? '').split(',').map((text) => text.trim()).filter((text) => text !== '')) {
    const parsed = permissionSchema.safeParse(item);
    if (!parsed.success) return { exitCode: 2, output: `unknown permission '${item}': ${parsed.error.issues[0]?.message ?? ''}` };
    granted.push(parsed.data);
  }
  try {
    const key = await createApiKey(input.keysFile, input.name, granted, new Date());
    return { exitCode: 0, output: key };
  } catch (error) {
    if (error instanceof InvalidKeysFileError) return { exitCode: 1, output: error.message };
    throw error;
  }
}
