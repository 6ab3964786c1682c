import type { ExportAttemptFailed } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { createRecordedOutcomesByDataflow } from './recorded-outcomes-by-dataflow.ts';
import { recordedOutcomesOf } from './recorded-outcomes.ts';

const attempt = (exportId: string, number: number) => ({ exportId, attempt: number }) as ExportAttemptFailed;

describe('outcomes recorded after each dataflow consumer’s checkpoint', () => {
  it('finds a run in the set of its dataflow, once', () => {
    const recorded = createRecordedOutcomesByDataflow();
    recorded.set('df-1', recordedOutcomesOf(['e-1']));
    recorded.set('df-2', recordedOutcomesOf(['e-2'], [attempt('e-3', 2), attempt('e-3', 1)]));

    expect([recorded.consume('e-2'), recorded.consume('e-1'), recorded.consume('e-1')]).toEqual([true, true, false]);
    expect(recorded.takeAttempts('e-3').map((each) => each.attempt)).toEqual([1, 2]);
    expect(recorded.takeAttempts('e-3')).toEqual([]);
    expect(recorded.takeDeadLetter('e-3')).toBeUndefined();
  });

  it("forgets a dataflow's set once its consumer has caught up, and keeps the others", () => {
    const recorded = createRecordedOutcomesByDataflow();
    recorded.set('df-1', recordedOutcomesOf(['e-1']));
    recorded.set('df-2', recordedOutcomesOf(['e-2']));
    recorded.drop('df-1');

    expect(recorded.size()).toBe(1);
    expect([recorded.consume('e-1'), recorded.consume('e-2')]).toEqual([false, true]);
  });
});
