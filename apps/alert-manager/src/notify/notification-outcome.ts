import type { RetriedDelivery } from '@spillway/delivery';

/** A sentence from codes only (never the URL, a header or the body). */
export function describeFailedNotification(delivery: RetriedDelivery): { readonly status?: number; readonly errorCode?: string; readonly reason: string } {
  const { outcome, attempts } = delivery;
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (outcome.kind === 'delivered') return { status: outcome.status, reason: `HTTP ${outcome.status}` };
  if (outcome.failure === 'status') return { status: outcome.status, reason: `HTTP ${outcome.status} ${tries}${outcome.retryable ? '' : ' (not retryable)'}` };
  return { errorCode: outcome.errorCode, reason: `${outcome.errorCode} ${tries}${outcome.retryable ? '' : ' (not retryable)'}` };
}
