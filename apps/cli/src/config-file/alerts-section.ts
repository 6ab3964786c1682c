import { alertSubscriptionSchema, type AlertSubscription } from '@spillway/alert-rules';
import { idSchema } from '@spillway/xdm';
import { z } from 'zod';

const { dataflowId: _dataflowId, ...subscriptionFields } = alertSubscriptionSchema.shape;

/**
 * An `alerts:` item of the apply file: the alert subscription of one dataflow (docs/alerts.md),
 * named by `dataflow:` as dataflow items name their `destination:`.
 */
export const alertItemSchema = z.strictObject({ dataflow: idSchema, ...subscriptionFields });
export type AlertItem = z.output<typeof alertItemSchema>;

export function toAlertSubscription(item: AlertItem): AlertSubscription {
  const { dataflow, ...subscription } = item;
  return { dataflowId: dataflow, ...subscription };
}
