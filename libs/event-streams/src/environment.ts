import { z } from 'zod';

export const defaultConnectionString = 'esdb://127.0.0.1:2113?tls=false';

const storeEnvironmentSchema = z.object({
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .trim()
    .default(defaultConnectionString)
    .transform((value) => value || defaultConnectionString)
    .refine((value) => /^esdb(\+discover)?:\/\/[^/?]+/.test(value), 'must look like esdb://host:port?tls=false'),
});

export class InvalidEnvironmentError extends Error {
  readonly type = 'invalid-environment';
  readonly variable: string;
  constructor(variable: string, reason: string) {
    super(`${variable} ${reason}`);
    this.name = 'InvalidEnvironmentError';
    this.variable = variable;
  }
}

/** The store settings every service takes from its environment (main passes `process.env`). */
export function parseStoreEnvironment(environment: Readonly<Record<string, string | undefined>>): { readonly connectionString: string } {
  const parsed = storeEnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEnvironmentError(String(issue?.path[0] ?? 'EVENTSTORE_CONNECTION_STRING'), issue?.message ?? 'is invalid');
  }
  return { connectionString: parsed.data.EVENTSTORE_CONNECTION_STRING };
}

/** The first host and port of a connection string (where `npm start` runs the embedded store). */
export function storeEndpoint(connectionString: string): { readonly host: string; readonly port: number } {
  const hostPart = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?,]+)/i.exec(connectionString)?.[1];
  if (!hostPart) throw new InvalidEnvironmentError('EVENTSTORE_CONNECTION_STRING', 'has no host');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPart);
  if (!match?.[1]) throw new InvalidEnvironmentError('EVENTSTORE_CONNECTION_STRING', `has an unreadable host ${hostPart}`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : 2113 };
}
