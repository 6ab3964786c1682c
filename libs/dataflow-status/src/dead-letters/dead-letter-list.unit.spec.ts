import type { ExportDeadLettered } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { listDeadLetters, type DeadLetterStreamEvent } from './dead-letter-list.ts';

const exportA = '7d444840-9dc0-41d1-b245-5ffdce74fad2';
const exportB = '8e555951-9dc0-41d1-b245-5ffdce74fad2';
const replayOne = '11111111-1111-4111-8111-111111111111';

const deadLettered = (exportId: string, status: number, at: string, replayId?: string): DeadLetterStreamEvent => ({
  type: 'ExportDeadLettered',
  data: { exportId, dataflowId: 'flow', profileId: 'p1', status, deadLetteredAt: at, ...(replayId ? { replayId } : {}) } as ExportDeadLettered,
});
const replayed = (exportId: string, replayId: string, at: string): DeadLetterStreamEvent => ({ type: 'DeadLetterReplayed', data: { exportId, dataflowId: 'flow', replayId, replayedAt: at } });

describe('dead letter list', () => {
  it('given no replay, then every dead letter is listed, oldest first, none marked replayed', () => {
    const listed = listDeadLetters([deadLettered(exportA, 503, '2026-01-01T10:00:00Z'), deadLettered(exportB, 400, '2026-01-01T10:01:00Z')], {});
    expect(listed.map((letter) => [letter.exportId, letter.replayed])).toEqual([
      [exportA, undefined],
      [exportB, undefined],
    ]);
  });

  it('given a replay that was given up again, then the first dead letter is marked replayed and the second is not', () => {
    const listed = listDeadLetters(
      [deadLettered(exportA, 503, '2026-01-01T10:00:00Z'), replayed(exportA, replayOne, '2026-01-01T10:05:00Z'), deadLettered(exportA, 503, '2026-01-01T10:06:00Z', replayOne)],
      {},
    );
    expect(listed).toHaveLength(2);
    expect(listed[0]!.replayed).toEqual({ replayId: replayOne, replayedAt: '2026-01-01T10:05:00Z' });
    expect(listed[1]!.replayed).toBeUndefined();
    expect(listed[1]!.replayId).toBe(replayOne);
  });

  it('given filters, then only matching dead letters are listed, and a replay of another export marks nothing', () => {
    const listed = listDeadLetters([deadLettered(exportA, 503, '2026-01-01T10:00:00Z'), deadLettered(exportB, 400, '2026-01-01T10:01:00Z'), replayed(exportB, replayOne, '2026-01-01T10:02:00Z')], {
      status: '5xx',
    });
    expect(listed.map((letter) => [letter.exportId, letter.replayed])).toEqual([[exportA, undefined]]);
  });
});
