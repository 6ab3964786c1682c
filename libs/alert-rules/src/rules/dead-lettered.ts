import type { AlertRules } from '../subscription.ts';
import type { AlertState } from '../alert-state.ts';
import type { RuleVerdict } from './verdict.ts';

/** Raised by any dead letter; cleared once none came for `quietSeconds`. */
export function checkDeadLettered(state: AlertState, settings: AlertRules['deadLettered'], now: number): RuleVerdict {
  const last = state.lastDeadLetter;
  const quietMs = settings.quietSeconds * 1000;
  if (last === null || now - last.at >= quietMs) return { kind: 'clear', summary: `no export dead-lettered in the last ${settings.quietSeconds} s` };
  return { kind: 'over', observed: 1, threshold: 0, summary: `an export was dead-lettered: ${last.reason}` };
}
