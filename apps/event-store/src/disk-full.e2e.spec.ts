import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectEventStore, defineEvents, isTransient, type EventStore } from '@spillway/event-streams';
import { createLogger } from '@spillway/runtime';
import { mountSmallDisk, startStoreProcess, type StoreProcess } from '@spillway/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * A real full disk: the store's data directory on a 32 MiB tmpfs, filled up by the store's own
 * appends. Mounting needs root; where that is not allowed the test says why and is skipped.
 */
const small = await mountSmallDisk(32 * 1024 * 1024);
if (!small.mounted) console.warn(`disk-full test skipped: ${small.reason}`);

const blobEvents = defineEvents({ Blob: z.object({ n: z.number(), fill: z.string() }) });
const fill = 'x'.repeat(100_000);
const blob = (n: number) => ({ id: randomUUID(), type: 'Blob' as const, data: { n, fill } });

describe.skipIf(!small.mounted)('when the disk under the store is full', () => {
  const disk = small.mounted ? small.disk : undefined;
  const stores: StoreProcess[] = [];
  let client: EventStore | undefined;
  afterAll(async () => {
    await client?.close();
    for (const store of stores) await store.stop().catch(() => store.kill());
    await disk?.remove();
  });

  it('then appends are refused with an error naming the full disk, what was acknowledged stays readable, and writes resume once space is freed (without a restart)', async () => {
    if (!disk) return;
    const store = await startStoreProcess({ dataDir: join(disk.path, 'data') });
    stores.push(store);
    client = await connectEventStore(store.connectionString, { logger: createLogger({ service: 'disk-full-e2e', level: 'error' }), connectTimeoutMs: 10_000 });
    await disk.fillLeaving(4 * 1024 * 1024);

    const acknowledged: number[] = [];
    let refusal: unknown;
    for (let n = 0; n < 400 && refusal === undefined; n++) {
      try {
        await client.appendEvents(`blob-${n % 8}`, blobEvents, [blob(n)]);
        acknowledged.push(n);
      } catch (error) {
        refusal = error;
      }
    }
    expect(acknowledged.length).toBeGreaterThan(5);
    expect(refusal).toBeInstanceOf(Error);
    expect(isTransient(refusal)).toBe(true);
    expect((refusal as Error).message).toMatch(/no space left to write in .*data.*free space on that disk and writes resume/);

    // Still refused while full, and still serving reads: everything acknowledged is there.
    const refused = blob(-1);
    await expect(client.appendEvents('blob-0', blobEvents, [refused])).rejects.toThrow(/no space left/);
    const readBack = async () => {
      const found: number[] = [];
      for (let stream = 0; stream < 8; stream++) found.push(...(await client!.readStreamEvents(`blob-${stream}`, blobEvents)).map((stored) => stored.event.data.n));
      return found.sort((a, b) => a - b);
    };
    expect(await readBack()).toEqual(acknowledged);
    expect(store.logs().some((line) => line.includes('"disk full: writes refused until space is freed; reads go on"'))).toBe(true);
    // Said in JSON lines, not in stack dumps (lmdb-js prints 4 lines per failed commit, 2 commits failed;
    // a stray line, e.g. a Node warning on a loaded machine, is tolerated).
    const notJson = store.logs().filter((line) => !line.startsWith('{'));
    expect(notJson.length, notJson.join('\n')).toBeLessThan(4);

    await disk.freeSpace();
    await client.appendEvents('blob-0', blobEvents, [blob(1_000)]);
    expect(store.logs().some((line) => line.includes('"disk has space again: writes accepted"'))).toBe(true);
    // The refused append, sent again with its event id, is written: the refusal left no trace of it.
    await client.appendEvents('blob-0', blobEvents, [refused]);

    // Nothing acknowledged was lost, across a restart on the same data too.
    const restarted = await store.restart();
    stores.push(restarted);
    await client.close();
    client = await connectEventStore(restarted.connectionString, { logger: createLogger({ service: 'disk-full-e2e', level: 'error' }), connectTimeoutMs: 10_000 });
    expect(await readBack()).toEqual([-1, ...acknowledged, 1_000]);
  }, 120_000);
});
