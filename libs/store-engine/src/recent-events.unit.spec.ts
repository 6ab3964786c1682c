import { describe, expect, it } from 'vitest';
import type { EventSelector, RecordedEvent } from './engine.ts';
import { RecentEvents } from './recent-events.ts';

const event = (position: number, streamId = `s-${position}`, size = 10): RecordedEvent => ({
  streamId,
  revision: 0n,
  position: BigInt(position),
  id: `id-${position}`,
  type: 'T',
  contentType: 'application/json',
  data: new Uint8Array(size),
  metadata: new Uint8Array(),
  created: 0n,
});
const written = (...positions: number[]) => ({ written: positions.map((position) => event(position)), removed: [] });
const every: EventSelector = { field: 'streamId', matches: () => true };
const forwards = (from: bigint | 'start', maxCount = 100n) => ({ direction: 'forwards' as const, from, maxCount });
const positionsOf = (events: readonly RecordedEvent[] | undefined) => events?.map((recorded) => Number(recorded.position));

describe('RecentEvents', () => {
  it('serves forwards reads from the position after the head it started at, and nothing before it', () => {
    const recent = new RecentEvents(10);
    recent.committed([written(11, 12), written(13)]);
    expect(positionsOf(recent.all(forwards(11n)))).toEqual([11, 12, 13]);
    expect(positionsOf(recent.all(forwards(12n, 1n)))).toEqual([12]);
    expect(recent.all(forwards(14n))).toEqual([]);
    expect(recent.all(forwards(10n))).toBeUndefined();
    expect(recent.all(forwards('start'))).toBeUndefined();
    expect(recent.all({ direction: 'backwards', from: 13n, maxCount: 10n })).toBeUndefined();
  });

  it('skips removed rows without counting them as scanned', () => {
    const recent = new RecentEvents(0);
    recent.committed([written(1, 2, 3, 4)]);
    recent.committed([{ written: [event(5)], removed: [2, 3] }]);
    const page = recent.selected(forwards(1n, 2n), { field: 'streamId', matches: (id) => id !== 's-1' });
    expect(positionsOf(page?.events)).toEqual([4]);
    expect([page?.scanned, page?.lastScanned]).toEqual([2, 4n]);
    expect(positionsOf(recent.all(forwards(2n)))).toEqual([4, 5]);
  });

  it('drops the oldest events past its limits, after which reads from them go elsewhere', () => {
    const byCount = new RecentEvents(0, { maxEvents: 3, maxBytes: 1_000 });
    byCount.committed([written(1, 2, 3, 4, 5)]);
    expect(byCount.all(forwards(2n))).toBeUndefined();
    expect(positionsOf(byCount.all(forwards(3n)))).toEqual([3, 4, 5]);
    const bySize = new RecentEvents(0, { maxEvents: 100, maxBytes: 25 });
    bySize.committed([written(1, 2, 3)]);
    expect(bySize.all(forwards(1n))).toBeUndefined();
    expect(positionsOf(bySize.all(forwards(2n)))).toEqual([2, 3]);
  });

  it('keeps serving exactly across many evictions', () => {
    const recent = new RecentEvents(0, { maxEvents: 50, maxBytes: 1_000_000 });
    for (let position = 1; position <= 5_000; position += 5) {
      recent.committed([written(position, position + 1, position + 2, position + 3, position + 4)]);
    }
    expect(recent.selected(forwards(4_950n), every)).toBeUndefined();
    expect(positionsOf(recent.selected(forwards(4_990n, 5n), every)?.events)).toEqual([4_990, 4_991, 4_992, 4_993, 4_994]);
  });

  it('starts over after a position it already holds, rather than serve a wrong log', () => {
    const recent = new RecentEvents(0);
    recent.committed([written(1, 2, 3)]);
    recent.committed([written(2)]);
    expect(recent.all(forwards(1n))).toBeUndefined();
    expect(recent.all(forwards(3n))).toEqual([]);
  });
});
