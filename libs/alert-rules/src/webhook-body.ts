import type { AlertDecision } from './evaluate.ts';

/** The JSON body POSTed to the subscriber's webhook (and the log sink's line): docs/alerts.md. */
export interface AlertNotificationBody {
  readonly type: 'AlertRaised' | 'AlertResolved';
  /** The id of the alert event: the same when a notification is sent again (deduplicate on it). */
  readonly eventId: string;
  readonly alert: AlertDecision['alert'];
}

export function alertNotificationBody(decision: AlertDecision, eventId: string): AlertNotificationBody {
  return { type: decision.kind === 'raise' ? 'AlertRaised' : 'AlertResolved', eventId, alert: decision.alert };
}
