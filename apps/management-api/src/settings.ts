import { resolve } from 'node:path';
import { z } from 'zod';

export const defaultApiPort = 8791;
/** Where the API (and `api-keys create`) keep the hashed keys unless SPILLWAY_API_KEYS_FILE says otherwise. */
export const defaultKeysFile = './api-keys.json';

const settingsSchema = z.object({
  SPILLWAY_API_HOST: z.string().min(1).default('127.0.0.1'),
  SPILLWAY_API_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535).default(defaultApiPort),
  SPILLWAY_API_KEYS_FILE: z.string().min(1).default(defaultKeysFile),
});

export interface ApiSettings {
  readonly host: string;
  readonly port: number;
  /** Whether SPILLWAY_API_PORT asked for the port: a taken default port is not an error, an asked-for one is. */
  readonly portExplicit: boolean;
  readonly keysFile: string;
}

export function parseApiSettings(environment: Readonly<Record<string, string | undefined>>): ApiSettings {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${String(issue?.path[0] ?? 'environment')} ${issue?.message ?? 'is invalid'}`);
  }
  return { host: parsed.data.SPILLWAY_API_HOST, port: parsed.data.SPILLWAY_API_PORT, portExplicit: 'SPILLWAY_API_PORT' in present, keysFile: resolve(parsed.data.SPILLWAY_API_KEYS_FILE) };
}
