import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEventStore, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { audienceStreamName, publicEvent } from '@spillway/xdm';
import { inject } from 'vitest';
import { createApiKey, createKeyring } from '../access/api-keys.ts';
import { permissions, type Permission } from '../access/permissions.ts';
import { startManagementApi } from '../server.ts';
import { audienceEvents } from '../store/catalogs.ts';

export interface ApiAnswer {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read the JSON freely
}

export interface CallOptions {
  readonly key?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
}

export const uniqueId = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

/** The API as an in-process server on 127.0.0.1:0 over the test store, with a fresh keys file. */
export async function startApiForTest() {
  const logger = createLogger({ service: 'management-api-test', level: 'error' });
  const store: EventStore = await connectEventStore(inject('eventstoreConnectionString'), { logger, connectTimeoutMs: 10_000 });
  const dir = await mkdtemp(join(tmpdir(), 'spillway-api-'));
  const keysFile = join(dir, 'api-keys.json');
  const api = await startManagementApi({ store, keyring: createKeyring(keysFile), logger });
  const keyWith = (granted: readonly Permission[]) => createApiKey(keysFile, uniqueId('key'), granted, new Date());
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> => {
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const defineAudience = (audienceId: string) =>
    store.appendEvents(audienceStreamName(audienceId), audienceEvents, [
      publicEvent('AudienceDefined', { audienceId, name: `Audience ${audienceId}`, mergePolicyId: 'default', origin: 'segmentation', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 }),
    ]);
  return {
    store,
    url: api.url,
    keysFile,
    keyWith,
    allPermissionsKey: () => keyWith(permissions),
    call,
    defineAudience,
    close: async () => {
      await api.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type ApiHarness = Awaited<ReturnType<typeof startApiForTest>>;

export const destinationBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Receiver',
  endpoint: 'https://receiver.example.com/exports',
  auth: { type: 'bearer', token: 'env:RECEIVER_TOKEN' },
  includeSegmentNames: true,
  includeSegmentTimestamps: false,
  ...overrides,
});

export const dataflowBody = (destinationId: string, audienceIds: readonly string[], overrides: Record<string, unknown> = {}) => ({
  destinationId,
  audiences: audienceIds.map((audienceId) => ({ audienceId })),
  attributes: ['person.name.firstName'],
  enabled: true,
  ...overrides,
});
