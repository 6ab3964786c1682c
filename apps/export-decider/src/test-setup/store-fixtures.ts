import { randomUUID } from 'node:crypto';
import { connectEventStore, defineEvents, type EventStore } from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas, profileStreamName, type ExportRequested, type ProfileChanged } from '@spillway/pipeline-events';
import { createLogger, type Logger } from '@spillway/runtime';
import { inject } from 'vitest';
import { configurationEvents } from '../configuration/configuration-events.ts';
import type { ConfigEvent } from '../configuration/evolve-config.ts';
import { exportEvents } from '../decision/export-events.ts';
import { configStreamOf } from '../testing/fixtures.ts';

export type LogEntry = { readonly level: string; readonly message: string } & Readonly<Record<string, unknown>>;

export interface CapturedLogger {
  readonly logger: Logger;
  withMessage(message: string): LogEntry[];
}

export function captureLogger(): CapturedLogger {
  const entries: LogEntry[] = [];
  const logger = createLogger({ service: 'test', level: 'debug', write: (line) => entries.push(JSON.parse(line) as LogEntry) });
  return { logger, withMessage: (message) => entries.filter((entry) => entry.message === message) };
}

export const connectForTest = (logger: Logger): Promise<EventStore> =>
  connectEventStore(inject('eventstoreConnectionString'), { logger, connectTimeoutMs: 10_000 });

/** Ids no other test (or earlier run against the same store) uses. */
export const uniqueId = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const profileEvents = defineEvents({ ProfileChanged: internalEventSchemas.ProfileChanged });

export async function appendConfig(store: EventStore, ...events: ConfigEvent[]): Promise<void> {
  for (const event of events) await store.appendEvents(configStreamOf(event), configurationEvents, [event]);
}

/** Appends the projector's output for one profile; revision i of `profile-<id>` is changes[i]. */
export async function appendProfileChanges(store: EventStore, changes: readonly ProfileChanged[]): Promise<void> {
  for (const change of changes) await store.appendEvents(profileStreamName(change.profileId), profileEvents, [{ type: 'ProfileChanged', data: change }]);
}

export async function readExports(store: EventStore, dataflowId: string): Promise<ExportRequested[]> {
  const stored = await store.readStreamEvents(exportsStreamName(dataflowId), exportEvents);
  return stored.map((event) => event.event.data);
}
