import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, ServiceProcessError } from './service-process.ts';
import { startStoreProcess, type StoreProcess } from './store.ts';

describe('startService', () => {
  let store: StoreProcess;
  beforeAll(async () => {
    store = await startStoreProcess({ inMemory: true });
  });
  afterAll(() => store.stop());

  it('resolves on the started line, collects the logs, and stops with exit 0 on SIGTERM', async () => {
    const decider = await startService('export-decider', { EVENTSTORE_CONNECTION_STRING: store.connectionString });
    expect(decider.started).toMatchObject({ level: 'info', service: 'export-decider', connected: true });
    await decider.waitForLog((entry) => entry.message === 'consumer started', 'the consumer');
    expect(await decider.stop()).toEqual({ code: 0, signal: null });
    expect(decider.logs().map((entry) => entry.message)).toContain('stopped');
  });

  it('kills with SIGKILL', async () => {
    const projector = await startService('profile-projector', { EVENTSTORE_CONNECTION_STRING: store.connectionString });
    expect(await projector.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('rejects with the logs when the service exits before it starts', async () => {
    const failing = startService('delivery-agent', { EVENTSTORE_CONNECTION_STRING: store.connectionString, SPILLWAY_PARTITION: '3/2' });
    const error = await failing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceProcessError);
    expect((error as ServiceProcessError).logs.some((entry) => entry.message === 'could not start')).toBe(true);
  });
});
