import { parseArgs } from 'node:util';
import { z } from 'zod';

/** How the store process is configured: flags first, then environment, then defaults. */
export const storeOptionsSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  dataDir: z.string().min(1),
  inMemory: z.boolean(),
  /** A damaged data file: refuse to start (default), or move it aside and start empty. */
  onDamagedData: z.enum(['refuse', 'move-aside']),
});

export type StoreOptions = z.infer<typeof storeOptionsSchema>;

export class InvalidStoreOptionsError extends Error {
  readonly type = 'invalid-store-options';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStoreOptionsError';
  }
}

const defaultConnectionString = 'esdb://127.0.0.1:2113?tls=false';

export function parseStoreOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): StoreOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'in-memory': { type: 'boolean' },
      'on-damaged-data': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const endpoint = endpointOf(env['EVENTSTORE_CONNECTION_STRING'] || defaultConnectionString);
  const parsed = storeOptionsSchema.safeParse({
    host: values.host ?? endpoint.host,
    port: values.port === undefined ? endpoint.port : Number(values.port),
    dataDir: values.data ?? (env['SPILLWAY_DATA_DIR'] || './data'),
    inMemory: values['in-memory'] ?? false,
    onDamagedData: values['on-damaged-data'] ?? 'refuse',
  });
  if (!parsed.success) throw new InvalidStoreOptionsError(z.prettifyError(parsed.error));
  return parsed.data;
}

/** Host and port of the first node in an `esdb://` connection string (credentials never read). */
function endpointOf(connectionString: string): { host: string; port: number } {
  const match = /^esdb(?:\+discover)?:\/\/(?:[^@/]*@)?([^:/?,]+)(?::(\d+))?/.exec(connectionString);
  if (match === null) throw new InvalidStoreOptionsError('EVENTSTORE_CONNECTION_STRING is not an esdb:// connection string');
  return { host: match[1]!, port: match[2] === undefined ? 2113 : Number(match[2]) };
}
