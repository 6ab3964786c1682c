import { describe, expect, it } from 'vitest';
import { countsSnapshotStreamName, dataflowCountsSnapshottedSchema } from './counts-snapshot-stream.ts';

const snapshot = {
  version: 1,
  dataflowId: 'df-1',
  position: '120/120',
  enabled: true,
  counts: { received: 3, exported: 2, delivered: 1, failed: 0, superseded: 1, deadLettered: 0 },
  latencyBuckets: [[18, 1]],
};

describe('counts snapshot stream', () => {
  it('names the stream by dataflow', () => {
    expect(countsSnapshotStreamName('df-1')).toBe('spillway-counts-df-1');
  });

  it('given a snapshot of the current version, then it parses', () => {
    expect(dataflowCountsSnapshottedSchema.safeParse(snapshot).success).toBe(true);
  });

  it('given a snapshot of another version, then it does not parse (and is ignored)', () => {
    expect(dataflowCountsSnapshottedSchema.safeParse({ ...snapshot, version: 0 }).success).toBe(false);
  });

  it('given a position that is not commit/prepare, then it does not parse, naming the field', () => {
    const result = dataflowCountsSnapshottedSchema.safeParse({ ...snapshot, position: 'start' });
    expect(result.error?.issues[0]?.path).toEqual(['position']);
  });
});
