import { describe, expect, it } from 'vitest';
import { faultFigures } from './fault-figures.ts';

const latency = { count: 0, meanMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };

describe('figures of a run through the faulty receiver', () => {
  it('given 10 exports (6 delivered, 4 of them at once; 2 superseded; 1 dead-lettered), then the shares count against all requested and against those sent', () => {
    const figures = faultFigures({ requested: 10, deliveredAttempts: [1, 1, 2, 1, 3, 1], retried: 5, superseded: 2, deadLettered: 1 }, latency);
    expect(figures).toMatchObject({ delivered: 6, deliveredFirstAttempt: 4, unsettled: 1, firstAttemptShare: 0.4, finalShare: 0.6, finalShareOfSent: 0.75 });
  });

  it('given nothing requested, then the shares are 0, not NaN', () => {
    expect(faultFigures({ requested: 0, deliveredAttempts: [], retried: 0, superseded: 0, deadLettered: 0 }, latency)).toMatchObject({ firstAttemptShare: 0, finalShare: 0, finalShareOfSent: 0 });
  });
});
