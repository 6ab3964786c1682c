import { alertingEventSchemas } from '@spillway/alert-rules';
import { defineEvents } from '@spillway/event-streams';

/** `alerting-<dataflowId>`: alert subscriptions (docs/alerts.md). */
export const alertingEvents = defineEvents(alertingEventSchemas, { unknownTypes: 'ignore' });
