import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { startStoreProcess } from './store.ts';

describe('startStoreProcess', () => {
  it('starts a store on a free port that the real client can use, and restarts it on the same port and data', async () => {
    const store = await startStoreProcess();
    expect(store.port).toBeGreaterThan(0);
    expect(store.connectionString).toBe(`esdb://127.0.0.1:${store.port}?tls=false`);
    const client = EventStoreDBClient.connectionString(store.connectionString);
    await client.appendToStream('testing-store', jsonEvent({ type: 'T', data: { n: 1 } }));
    await client.dispose();

    const restarted = await store.restart();
    expect(restarted.port).toBe(store.port);
    expect(restarted.dataDir).toBe(store.dataDir);
    expect(restarted.pid).not.toBe(store.pid);
    const reader = EventStoreDBClient.connectionString(restarted.connectionString);
    const events = [];
    for await (const resolved of reader.readStream('testing-store')) events.push(resolved.event?.data);
    expect(events).toEqual([{ n: 1 }]);
    await reader.dispose();

    await restarted.kill();
    await restarted.removeData();
  });

  it('runs the in-memory engine without a data directory', async () => {
    const store = await startStoreProcess({ inMemory: true });
    expect(store.dataDir).toBe('');
    expect(store.logs().join('\n')).toContain('"engine":"memory"');
    expect(await store.stop()).toBe(0);
  });
});
