import { describe, expect, it } from 'vitest';
import { backfillStreamName, summarizeBackfills, type BackfillEvent } from './backfill-stream.ts';

const id = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const started = (partition: string): BackfillEvent => ({
  type: 'BackfillStarted',
  data: { backfillId: id, dataflowId: 'df', partition, audienceIds: ['a'], configStream: 'dataflow-df', configEventId: 'e1', upToPosition: '10/10', startedAt: '2026-01-01T00:00:00.000Z' },
});
const progress = (partition: string, scanned: number): BackfillEvent => ({
  type: 'BackfillProgress',
  data: { backfillId: id, dataflowId: 'df', partition, scanned, exported: scanned - 1, position: `${scanned}/${scanned}`, ratePerSecond: 50, at: '2026-01-01T00:00:01.000Z' },
});

describe('backfill stream', () => {
  it('is named after the dataflow', () => {
    expect(backfillStreamName('df-1')).toBe('backfill-df-1');
  });

  it('gives each partition of a backfill its last progress, and completed once completed', () => {
    const statuses = summarizeBackfills([
      started('0/2'),
      started('1/2'),
      progress('0/2', 5),
      progress('1/2', 3),
      progress('0/2', 8),
      { type: 'BackfillCompleted', data: { backfillId: id, dataflowId: 'df', partition: '1/2', scanned: 4, exported: 2, completedAt: '2026-01-01T00:00:02.000Z' } },
      started('0/2'), // the same request seen again after a restart changes nothing
    ]);
    expect(statuses.map((s) => [s.partition, s.state, s.scanned, s.exported, s.position])).toEqual([
      ['0/2', 'running', 8, 7, '8/8'],
      ['1/2', 'completed', 4, 2, '3/3'],
    ]);
  });

  it('estimates what is left from the share of the log scanned so far (up to the configuration event at 10/10)', () => {
    // 8 profiles scanned in the first 8/10 of the log, at 50/s: about 2 more, 1 s.
    const [running] = summarizeBackfills([started('0/1'), progress('0/1', 8)]);
    expect(running).toMatchObject({ shareDone: 0.8, remainingEstimate: 2, secondsLeftEstimate: 1 });
    const [fresh] = summarizeBackfills([started('0/1')]);
    expect(fresh).toMatchObject({ shareDone: 0, remainingEstimate: undefined, secondsLeftEstimate: undefined });
    const [completed] = summarizeBackfills([
      started('0/1'),
      { type: 'BackfillCompleted', data: { backfillId: id, dataflowId: 'df', partition: '0/1', scanned: 9, exported: 9, completedAt: '2026-01-01T00:00:02.000Z' } },
    ]);
    expect(completed).toMatchObject({ shareDone: 1, remainingEstimate: 0, secondsLeftEstimate: 0 });
  });
});
