import type { BackfillStatus } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { backfillLine, progressBar } from './backfill-status.ts';

const running: BackfillStatus = {
  backfillId: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
  dataflowId: 'df',
  partition: '0/1',
  audienceIds: ['vip'],
  configEventId: 'e',
  upToPosition: '1000/1000',
  startedAt: '2026-01-01T00:00:00.000Z',
  state: 'running',
  scanned: 120,
  exported: 80,
  position: '250/250',
  ratePerSecond: 40,
  updatedAt: '2026-01-01T00:00:03.000Z',
  shareDone: 0.25,
  remainingEstimate: 360,
  secondsLeftEstimate: 9,
};

describe('backfill status', () => {
  it('draws how far the scan is as a bar', () => {
    expect(progressBar(0.5, 10)).toBe('[#####.....]  50%');
  });

  it('shows scanned, exported, the rate and what is left of a running backfill', () => {
    expect(backfillLine(running)).toBe(
      'running   [#######.......................]  25%  audiences vip: scanned 120, exported 80, 40 profiles/s, about 360 left (~9 s) (since 2026-01-01T00:00:00.000Z)',
    );
  });

  it('shows no estimate before one can be made', () => {
    expect(backfillLine({ ...running, position: undefined, shareDone: 0, remainingEstimate: undefined, secondsLeftEstimate: undefined, ratePerSecond: undefined })).toBe(
      'running   [..............................]   0%  audiences vip: scanned 120, exported 80 (since 2026-01-01T00:00:00.000Z)',
    );
  });
});
