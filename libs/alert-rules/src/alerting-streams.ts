import { z } from 'zod';
import { idSchema, isoInstantSchema } from '@spillway/xdm';
import { alertSubscriptionSchema } from './subscription.ts';

/**
 * cli / management-api -> `alerting-<dataflowId>`: the dataflow's alert subscription. Latest wins;
 * `AlertSubscriptionDeleted` turns alerting off for the dataflow (its open alerts are resolved).
 */
export const alertingStreamPrefix = 'alerting-';
export const alertingStreamName = (dataflowId: string): string => `${alertingStreamPrefix}${dataflowId}`;

export const alertSubscriptionConfiguredSchema = alertSubscriptionSchema;
export const alertSubscriptionDeletedSchema = z.strictObject({ dataflowId: idSchema });

export const alertingEventSchemas = {
  AlertSubscriptionConfigured: alertSubscriptionConfiguredSchema,
  AlertSubscriptionDeleted: alertSubscriptionDeletedSchema,
} as const;

/**
 * alert-manager -> `alert-notifications-<dataflowId>`: what became of telling the subscriber of
 * one alert event (raised or resolved), keyed by that event's id. A restart sends again only
 * what has no outcome here.
 */
export const alertNotificationStreamPrefix = 'alert-notifications-';
export const alertNotificationStreamName = (dataflowId: string): string => `${alertNotificationStreamPrefix}${dataflowId}`;

const notificationBase = {
  /** The id of the AlertRaised / AlertResolved event told. */
  alertEventId: z.uuid(),
  alertId: z.uuid(),
  dataflowId: idSchema,
  kind: z.enum(['raised', 'resolved']),
  attempts: z.number().int().nonnegative(),
};

export const alertNotifiedSchema = z.strictObject({ ...notificationBase, status: z.number().int(), notifiedAt: isoInstantSchema });

export const alertNotificationFailedSchema = z.strictObject({
  ...notificationBase,
  status: z.number().int().optional(),
  errorCode: z.string().optional(),
  /** Built from codes only: never the URL, a header or the body. */
  reason: z.string(),
  failedAt: isoInstantSchema,
});

export type AlertNotified = z.infer<typeof alertNotifiedSchema>;
export type AlertNotificationFailed = z.infer<typeof alertNotificationFailedSchema>;

export const alertNotificationEventSchemas = {
  AlertNotified: alertNotifiedSchema,
  AlertNotificationFailed: alertNotificationFailedSchema,
} as const;
