import { describe, expect, it } from 'vitest';
import { exportRequestedSchema, profileStreamName, exportsStreamName } from './internal-streams.ts';

describe('internal streams', () => {
  it('names streams by profile and dataflow', () => {
    expect(profileStreamName('p1')).toBe('profile-p1');
    expect(exportsStreamName('df-1')).toBe('exports-df-1');
  });

  it('rejects an export request without a trigger, naming the field', () => {
    const result = exportRequestedSchema.safeParse({
      exportId: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
      sequence: 3,
      dataflowId: 'df',
      destinationId: 'd',
      profileId: 'p',
      triggers: [],
      lane: 'live',
      document: {},
      ingestedAt: '2026-01-01T00:00:00Z',
      decidedAt: '2026-01-01T00:00:00Z',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['triggers']);
  });
});
