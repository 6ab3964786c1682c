import { z } from 'zod';

export const defaultReceiverPort = 8787;

const environmentSchema = z.object({
  // 0 asks the OS for a free port (tests use it).
  RECEIVER_PORT: z.coerce.number().int().min(0).max(65_535).default(defaultReceiverPort),
});

export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
}

export class ReceiverOptionsError extends Error {
  override readonly name = 'ReceiverOptionsError';
  readonly type = 'ReceiverOptionsError';
}

export function parseReceiverOptions(env: Readonly<Record<string, string | undefined>>): ReceiverOptions {
  const parsed = environmentSchema.safeParse({ RECEIVER_PORT: env['RECEIVER_PORT'] || undefined });
  if (!parsed.success) {
    throw new ReceiverOptionsError(`RECEIVER_PORT must be a port number (0-65535), got ${JSON.stringify(env['RECEIVER_PORT'])}`);
  }
  // The example endpoint is for trying Spillway on one machine: loopback only.
  return { host: '127.0.0.1', port: parsed.data.RECEIVER_PORT };
}
