import type { AlertRules } from '../subscription.ts';
import type { AlertState } from '../alert-state.ts';
import { hold, round, type RuleVerdict } from './verdict.ts';

/** p95 of ingest-to-delivery delay over the window, in seconds; raised only with at least `minDeliveries` deliveries. */
export function checkDeliveryDelay(state: AlertState, settings: AlertRules['deliveryDelay']): RuleVerdict {
  const count = state.delays.length;
  if (count === 0) return { kind: 'clear', summary: `no deliveries in the last ${settings.windowSeconds} s` };
  const p95Seconds = round(percentile95(state.delays.map((sample) => sample.delayMs)) / 1000);
  const measured = `p95 delivery delay ${p95Seconds} s (${count} deliveries) over the last ${settings.windowSeconds} s`;
  if (p95Seconds > settings.thresholdSeconds) {
    return count >= settings.minDeliveries ? { kind: 'over', observed: p95Seconds, threshold: settings.thresholdSeconds, summary: `${measured} is above ${settings.thresholdSeconds} s` } : hold;
  }
  return { kind: 'clear', summary: `${measured} is at or under ${settings.thresholdSeconds} s` };
}

/** Nearest-rank 95th percentile. */
export function percentile95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}
