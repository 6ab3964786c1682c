import type { AlertRules } from '../subscription.ts';
import type { AlertState, RunningBackfill } from '../alert-state.ts';
import { round, type RuleVerdict } from './verdict.ts';

/** Raised when a running backfill (any partition) made no progress for `stalledSeconds`. */
export function checkBackfillStalled(state: AlertState, settings: AlertRules['backfillStalled'], now: number): RuleVerdict {
  const stalledMs = settings.stalledSeconds * 1000;
  let oldest: RunningBackfill | undefined;
  for (const backfill of Object.values(state.backfills)) {
    if (now - backfill.lastActivityAt >= stalledMs && (!oldest || backfill.lastActivityAt < oldest.lastActivityAt)) oldest = backfill;
  }
  if (!oldest) return { kind: 'clear', summary: 'no backfill is stalled' };
  const idleSeconds = round((now - oldest.lastActivityAt) / 1000, 0);
  return {
    kind: 'over',
    observed: idleSeconds,
    threshold: settings.stalledSeconds,
    summary: `backfill ${oldest.backfillId} (partition ${oldest.partition}) made no progress for ${idleSeconds} s`,
    key: `${oldest.backfillId} ${oldest.partition}@${oldest.lastActivityAt}`,
  };
}
