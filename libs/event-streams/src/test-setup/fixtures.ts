import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@spillway/runtime';
import { inject } from 'vitest';
import { z } from 'zod';
import { connectEventStore, type EventStore } from '../connection.ts';
import { defineEvents } from '../catalog.ts';

export type LogEntry = { readonly level: string; readonly message: string } & Readonly<Record<string, unknown>>;

export interface CapturedLogger {
  readonly logger: Logger;
  readonly entries: LogEntry[];
  withMessage(message: string): LogEntry[];
}

export function captureLogger(): CapturedLogger {
  const entries: LogEntry[] = [];
  const logger = createLogger({ service: 'test', level: 'debug', write: (line) => entries.push(JSON.parse(line) as LogEntry) });
  return { logger, entries, withMessage: (message) => entries.filter((entry) => entry.message === message) };
}

export const connectionString = () => inject('eventstoreConnectionString');

export async function connectForTest(logger: Logger, target = connectionString()): Promise<EventStore> {
  return connectEventStore(target, { logger, connectTimeoutMs: 10_000 });
}

/** A prefix no other test (or earlier run against the same store) uses. */
export const uniquePrefix = (label: string) => `${label}${randomUUID().slice(0, 8)}-`;

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The catalog the tests write and read: an order with a quantity. */
export const orderEvents = defineEvents({
  OrderPlaced: z.object({ orderId: z.string().min(1), quantity: z.number().int().positive() }),
  OrderCancelled: z.object({ orderId: z.string().min(1), reason: z.string() }),
});

export const placed = (orderId: string, quantity = 1) => ({ type: 'OrderPlaced' as const, data: { orderId, quantity } });
