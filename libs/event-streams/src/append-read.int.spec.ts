import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from './connection.ts';
import { InvalidEventError } from './errors.ts';
import { readCurrent, readLatest } from './read-latest.ts';
import { captureLogger, connectForTest, orderEvents, placed, uniquePrefix, type CapturedLogger } from './test-setup/fixtures.ts';

describe('typed append and read', () => {
  let log: CapturedLogger;
  let store: EventStore;
  beforeAll(async () => {
    log = captureLogger();
    store = await connectForTest(log.logger);
  });
  afterAll(() => store.close());

  it('reads back what was appended, typed, with revisions and positions', async () => {
    const stream = `${uniquePrefix('order')}1`;
    const result = await store.appendEvents(stream, orderEvents, [placed('o1', 2), { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'changed mind' } }], {
      expectedRevision: 'no_stream',
    });
    expect(result.nextExpectedRevision).toBe(1n);

    const read = await store.readStreamEvents(stream, orderEvents);
    expect(read.map((stored) => stored.event)).toEqual([
      { type: 'OrderPlaced', data: { orderId: 'o1', quantity: 2 } },
      { type: 'OrderCancelled', data: { orderId: 'o1', reason: 'changed mind' } },
    ]);
    expect(read.map((stored) => stored.revision)).toEqual([0n, 1n]);
    expect(read[1]?.position).toEqual(result.position);
  });

  it('refuses an invalid event before writing anything, naming the field and the problem', async () => {
    const stream = `${uniquePrefix('order')}2`;
    const attempt = store.appendEvents(stream, orderEvents, [placed('o2'), { type: 'OrderPlaced', data: { orderId: 'o3', quantity: -1 } }]);
    const error = await attempt.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ type: 'invalid-event', stream, eventType: 'OrderPlaced', issues: [{ path: 'quantity' }] });
    expect(await store.readStreamEvents(stream, orderEvents)).toEqual([]);
  });

  it('re-appending the same event id does not write it twice', async () => {
    const stream = `${uniquePrefix('order')}3`;
    const event = { ...placed('o4'), id: '6f1d2a5e-7a3b-4c1d-9e8f-0a1b2c3d4e5f' };
    await store.appendEvents(stream, orderEvents, [event], { expectedRevision: 'no_stream' });
    await store.appendEvents(stream, orderEvents, [event], { expectedRevision: 'no_stream' });
    expect(await store.readStreamEvents(stream, orderEvents)).toHaveLength(1);
  });

  it('leaves out malformed events on read and reports each with stream, id, type and reason', async () => {
    const stream = `${uniquePrefix('order')}4`;
    await store.appendEvents(stream, orderEvents, [placed('good-1')]);
    const bad = await store.appendUncheckedEvents(stream, [
      { type: 'OrderPlaced', data: new TextEncoder().encode('{"orderId": "x", quant'), id: '0b7e2f4a-1111-4c1d-9e8f-0a1b2c3d4e5f' },
      { type: 'OrderPlaced', data: { orderId: 'x', quantity: 'three' }, id: '0b7e2f4a-2222-4c1d-9e8f-0a1b2c3d4e5f' },
      { type: 'OrderShipped', data: { orderId: 'x' }, id: '0b7e2f4a-3333-4c1d-9e8f-0a1b2c3d4e5f' },
    ]);
    expect(bad.nextExpectedRevision).toBe(3n);
    await store.appendEvents(stream, orderEvents, [placed('good-2')]);

    const read = await store.readStreamEvents(stream, orderEvents);
    expect(read.map((stored) => stored.event.data.orderId)).toEqual(['good-1', 'good-2']);

    const reports = log.withMessage('event rejected').filter((entry) => entry['stream'] === stream);
    expect(reports.map((entry) => [entry['eventId'], entry['eventType'], entry['reason']])).toEqual([
      ['0b7e2f4a-1111-4c1d-9e8f-0a1b2c3d4e5f', 'OrderPlaced', 'malformed-json'],
      ['0b7e2f4a-2222-4c1d-9e8f-0a1b2c3d4e5f', 'OrderPlaced', 'schema-mismatch'],
      ['0b7e2f4a-3333-4c1d-9e8f-0a1b2c3d4e5f', 'OrderShipped', 'unknown-type'],
    ]);
    expect(reports[1]?.['issues']).toEqual([{ path: 'quantity', message: expect.stringContaining('expected number') }]);
  });

  it('reports why a payload is not JSON without quoting any of it', async () => {
    const stream = `${uniquePrefix('order')}secret`;
    await store.appendUncheckedEvents(stream, [{ type: 'OrderPlaced', data: new TextEncoder().encode('{"apiKey": sk_live_51Hx9Qz}'), id: '0b7e2f4a-4444-4c1d-9e8f-0a1b2c3d4e5f' }]);
    expect(await store.readStreamEvents(stream, orderEvents)).toEqual([]);
    const [report] = log.withMessage('event rejected').filter((entry) => entry['stream'] === stream);
    expect(report?.['reason']).toBe('malformed-json');
    expect(JSON.stringify(report)).toContain("Unexpected token 's'");
    expect(JSON.stringify(report)).not.toContain('sk_live');
  });

  it('gives as latest the valid event before malformed ones at the end, with the revision of the newest event', async () => {
    const stream = `${uniquePrefix('order')}latest`;
    expect(await readCurrent(store, stream, orderEvents)).toEqual({ latest: undefined, revision: 'no_stream' });
    await store.appendEvents(stream, orderEvents, [placed('good')]);
    const malformed = (count: number) =>
      Array.from({ length: count }, () => ({ type: 'OrderPlaced', data: { orderId: 'x', quantity: 'three' } }));
    await store.appendUncheckedEvents(stream, malformed(1));
    const afterOne = await readCurrent(store, stream, orderEvents);
    expect([afterOne.latest?.event.data.orderId, afterOne.latest?.revision, afterOne.revision]).toEqual(['good', 0n, 1n]);

    // more than one page of them
    await store.appendUncheckedEvents(stream, malformed(150));
    const afterMany = await readCurrent(store, stream, orderEvents);
    expect([afterMany.latest?.event.data.orderId, afterMany.revision]).toEqual(['good', 151n]);
    expect((await readLatest(store, stream, orderEvents))?.event.data.orderId).toBe('good');

    const onlyMalformed = `${uniquePrefix('order')}latest-none`;
    await store.appendUncheckedEvents(onlyMalformed, malformed(3));
    expect(await readCurrent(store, onlyMalformed, orderEvents)).toEqual({ latest: undefined, revision: 2n });
  });

  it('reads backwards from the end with a count', async () => {
    const stream = `${uniquePrefix('order')}5`;
    await store.appendEvents(stream, orderEvents, [placed('a'), placed('b'), placed('c')]);
    const read = await store.readStreamEvents(stream, orderEvents, { direction: 'backwards', maxCount: 2 });
    expect(read.map((stored) => stored.event.data.orderId)).toEqual(['c', 'b']);
  });

  it('many large appends at once, more than the connection buffers, all land whole with their own revisions', async () => {
    const prefix = uniquePrefix('order');
    const reason = 'é'.repeat(100_000);
    const appends = Array.from({ length: 60 }, (_, index) =>
      store.appendEvents(`${prefix}-big-${index % 3}`, orderEvents, [placed(`o${index}`), { type: 'OrderCancelled', data: { orderId: `o${index}`, reason } }]),
    );
    const results = await Promise.all(appends);
    for (let stream = 0; stream < 3; stream++) {
      const revisions = results.filter((_, index) => index % 3 === stream).map((result) => result.nextExpectedRevision);
      expect([...revisions].sort((a, b) => Number(a - b))).toEqual(Array.from({ length: 20 }, (_, index) => BigInt(2 * index + 1)));
      const read = await store.readStreamEvents(`${prefix}-big-${stream}`, orderEvents);
      expect(read).toHaveLength(40);
      expect(read.filter((stored) => stored.event.type === 'OrderCancelled').every((stored) => stored.event.type === 'OrderCancelled' && stored.event.data.reason === reason)).toBe(true);
    }
  });
});
