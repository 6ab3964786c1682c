import { isSecretReference, validateEgressAddresses, type ClientCertificateFiles, type LocalBinding } from '@spillway/delivery';
import { z } from 'zod';

export const defaultPublicInfoPort = 8790;
export const defaultPublicInfoHost = '127.0.0.1';

/** Where the agent serves its public certificate and egress addresses; `explicit` when the port was set. */
export interface PublicInfoListen {
  readonly host: string;
  readonly port: number;
  readonly explicit: boolean;
}

/** How export connections are made (mTLS, trusted CA, egress) and where the public information is served. */
export interface ConnectionSettings {
  readonly clientCertificateFiles: ClientCertificateFiles | undefined;
  readonly caFile: string | undefined;
  readonly egressAddresses: readonly LocalBinding[];
  readonly egressAddressList: readonly string[];
  /** Undefined when switched off (`SPILLWAY_AGENT_HTTP_PORT=off`). */
  readonly publicInfo: PublicInfoListen | undefined;
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const absolutePath = optionalText.refine((value) => value === undefined || value.startsWith('/'), { message: 'must be an absolute path' });

export const connectionEnvironmentSchema = z
  .object({
    SPILLWAY_CLIENT_CERT_FILE: absolutePath,
    SPILLWAY_CLIENT_KEY_FILE: absolutePath,
    // Never echo the value in an error: a passphrase pasted in place of its reference would leak.
    SPILLWAY_CLIENT_KEY_PASSPHRASE: optionalText.refine((value) => value === undefined || isSecretReference(value), {
      message: 'must be a secret reference, env:NAME or file:/absolute/path (not the passphrase itself)',
    }),
    SPILLWAY_CA_FILE: absolutePath,
    SPILLWAY_EGRESS_ADDRESSES: optionalText.transform((value, context) => {
      const addresses = value === undefined ? [] : value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
      try {
        return { list: addresses, bindings: validateEgressAddresses(addresses) };
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
    SPILLWAY_AGENT_HTTP_PORT: optionalText.transform((value, context) => {
      if (value === undefined) return { port: defaultPublicInfoPort, explicit: false };
      if (value === 'off') return undefined;
      if (!/^\d+$/.test(value) || Number(value) > 65_535) {
        context.addIssue({ code: 'custom', message: `must be a port number (0 for any free port) or 'off', got '${value}'` });
        return z.NEVER;
      }
      return { port: Number(value), explicit: true };
    }),
    SPILLWAY_AGENT_HTTP_HOST: optionalText.transform((value) => value ?? defaultPublicInfoHost),
  })
  .superRefine((env, context) => {
    const cert = env.SPILLWAY_CLIENT_CERT_FILE !== undefined;
    const key = env.SPILLWAY_CLIENT_KEY_FILE !== undefined;
    if (cert !== key) {
      const [set, unset] = cert ? ['SPILLWAY_CLIENT_CERT_FILE', 'SPILLWAY_CLIENT_KEY_FILE'] : ['SPILLWAY_CLIENT_KEY_FILE', 'SPILLWAY_CLIENT_CERT_FILE'];
      context.addIssue({ code: 'custom', path: [unset], message: `must be set together with ${set}` });
    }
    if (env.SPILLWAY_CLIENT_KEY_PASSPHRASE !== undefined && !key) {
      context.addIssue({ code: 'custom', path: ['SPILLWAY_CLIENT_KEY_PASSPHRASE'], message: 'is set but SPILLWAY_CLIENT_KEY_FILE is not' });
    }
  });

export class InvalidConnectionSettingsError extends Error {
  override readonly name = 'InvalidConnectionSettingsError';
  readonly type = 'InvalidConnectionSettingsError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid delivery-agent settings: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export function parseConnectionSettings(env: Readonly<Record<string, string | undefined>>): ConnectionSettings {
  const parsed = connectionEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new InvalidConnectionSettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const settings = parsed.data;
  const certFile = settings.SPILLWAY_CLIENT_CERT_FILE;
  const keyFile = settings.SPILLWAY_CLIENT_KEY_FILE;
  const passphrase = settings.SPILLWAY_CLIENT_KEY_PASSPHRASE;
  const listen = settings.SPILLWAY_AGENT_HTTP_PORT;
  return {
    clientCertificateFiles: certFile && keyFile ? { certFile, keyFile, ...(passphrase === undefined ? {} : { keyPassphrase: passphrase }) } : undefined,
    caFile: settings.SPILLWAY_CA_FILE,
    egressAddresses: settings.SPILLWAY_EGRESS_ADDRESSES.bindings,
    egressAddressList: settings.SPILLWAY_EGRESS_ADDRESSES.list,
    publicInfo: listen === undefined ? undefined : { ...listen, host: settings.SPILLWAY_AGENT_HTTP_HOST },
  };
}
