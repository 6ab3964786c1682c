import type { AlertRules } from '../subscription.ts';
import type { AlertState } from '../alert-state.ts';
import { hold, round, type RuleVerdict } from './verdict.ts';

/** Failed requests over all requests in the window; raised only with at least `minRequests` of them. */
export function checkFailureRate(state: AlertState, settings: AlertRules['failureRate']): RuleVerdict {
  let total = 0;
  let failed = 0;
  for (const bucket of state.requests) {
    total += bucket.total;
    failed += bucket.failed;
  }
  const rate = total === 0 ? 0 : failed / total;
  const over = `failure rate ${round(rate)} (${failed} of ${total} requests) over the last ${settings.windowSeconds} s`;
  if (rate > settings.threshold) {
    return total >= settings.minRequests ? { kind: 'over', observed: round(rate), threshold: settings.threshold, summary: `${over} is above ${settings.threshold}` } : hold;
  }
  return { kind: 'clear', summary: `${over} is at or under ${settings.threshold}` };
}
