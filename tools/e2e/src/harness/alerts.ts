import { defineEvents, type EventStore } from '@spillway/event-streams';
import { alertEventSchemas, alertStreamName, type AlertRuleKind } from '@spillway/pipeline-events';
import type { HttpReceiver, ReceivedRequest } from '@spillway/testing';
import { waitUntil } from './wait.ts';

/** An alert event as the subscribed webhook received it (docs/alerts.md "What you receive"). */
export interface WebhookAlert {
  readonly type: 'AlertRaised' | 'AlertResolved';
  readonly eventId: string;
  readonly alert: { readonly alertId: string; readonly dataflowId: string; readonly rule: AlertRuleKind; readonly summary: string; readonly [field: string]: unknown };
  readonly request: ReceivedRequest;
}

const alertCatalog = defineEvents(alertEventSchemas, { unknownTypes: 'ignore' });

/** The alert events the webhook answered for this dataflow, in arrival order (one per request: retries would show as repeats). */
export function webhookAlerts(webhook: HttpReceiver, dataflowId: string): WebhookAlert[] {
  return webhook.requests.flatMap((request) => {
    const body = request.body as Omit<WebhookAlert, 'request'> | undefined;
    return body?.alert?.dataflowId === dataflowId ? [{ ...body, request }] : [];
  });
}

/** `"AlertRaised failure-rate"`, ...: what a user reads in the webhook's log, in order. */
export const alertTimeline = (alerts: readonly WebhookAlert[]): string[] => alerts.map((alert) => `${alert.type} ${alert.alert.rule}`);

/** One line per alert event, for the test's output: when it arrived (seconds after `since`), what, and its summary. */
export const describeAlerts = (alerts: readonly WebhookAlert[], since: number): string =>
  alerts.map((alert) => `+${((alert.request.receivedAt - since) / 1000).toFixed(1)}s ${alert.type} ${alert.alert.rule}: ${alert.alert.summary}`).join('\n');

/** Waits until the webhook got this alert event of this dataflow, and returns it. */
export async function waitForWebhookAlert(webhook: HttpReceiver, dataflowId: string, type: WebhookAlert['type'], rule: AlertRuleKind, timeoutMs: number): Promise<WebhookAlert> {
  const find = () => webhookAlerts(webhook, dataflowId).find((alert) => alert.type === type && alert.alert.rule === rule);
  await waitUntil(() => find() !== undefined, () => `${type} ${rule} of ${dataflowId} at the webhook (so far: ${alertTimeline(webhookAlerts(webhook, dataflowId)).join(', ') || 'nothing'})`, timeoutMs);
  return find()!;
}

/** `alerts-<dataflowId>` as the alert manager wrote it. */
export async function storedAlerts(client: EventStore, dataflowId: string): Promise<string[]> {
  const events = await client.readStreamEvents(alertStreamName(dataflowId), alertCatalog);
  return events.map((stored) => `${stored.event.type} ${stored.event.data.rule}`);
}

/** Rule settings that turn every rule off but the ones given (a YAML flow mapping for an `alerts:` item). */
export function onlyRules(rules: Partial<Record<'failureRate' | 'deadLettered' | 'deliveryDelay' | 'endpointUnreachable' | 'backfillStalled', string>>): string {
  const all = ['failureRate', 'deadLettered', 'deliveryDelay', 'endpointUnreachable', 'backfillStalled'] as const;
  return `{ ${all.map((rule) => `${rule}: ${rules[rule] ?? '{ enabled: false }'}`).join(', ')} }`;
}
