import { z } from 'zod';
import { idSchema, isoInstantSchema } from '@spillway/xdm';

/**
 * delivery-agent -> `circuits-<destinationId>`: the circuit breaker of one destination
 * (issue 5). Opened when every request to it failed for the configured time; while open, exports
 * wait (they are not attempted, so they do not use up their retries) and one probe request is
 * sent now and then; closed when a probe is answered. A dataflow's circuit is its destination's.
 */
export const circuitStreamPrefix = 'circuits-';
export const circuitStreamName = (destinationId: string): string => `${circuitStreamPrefix}${destinationId}`;

export const circuitOpenedSchema = z.strictObject({
  destinationId: idSchema,
  /** When the first of the unbroken run of failures happened. */
  failingSince: isoInstantSchema,
  /** Failed requests in that run. */
  failures: z.number().int().positive(),
  /** The last failure, as a sentence built from codes only (never a URL, header or body). */
  lastError: z.string(),
  openedAt: isoInstantSchema,
});

export const circuitClosedSchema = z.strictObject({
  destinationId: idSchema,
  openedAt: isoInstantSchema,
  closedAt: isoInstantSchema,
});

export type CircuitOpened = z.infer<typeof circuitOpenedSchema>;
export type CircuitClosed = z.infer<typeof circuitClosedSchema>;

export const circuitEventSchemas = {
  CircuitOpened: circuitOpenedSchema,
  CircuitClosed: circuitClosedSchema,
} as const;

/**
 * alert-manager -> `alerts-<dataflowId>`: alerts raised and resolved (product.md section 10).
 * An alert stays raised until resolved; while raised, the same rule is not raised again.
 */
export const alertStreamPrefix = 'alerts-';
export const alertStreamName = (dataflowId: string): string => `${alertStreamPrefix}${dataflowId}`;

export const alertRuleKindSchema = z.enum(['failure-rate', 'dead-lettered', 'delivery-delay', 'endpoint-unreachable', 'backfill-stalled']);

export const alertRaisedSchema = z.strictObject({
  /** Stable for the life of the alert: its resolution carries the same id. */
  alertId: z.uuid(),
  dataflowId: idSchema,
  rule: alertRuleKindSchema,
  /** One line a person reads: what crossed which threshold. No URL, header or body. */
  summary: z.string().min(1),
  /** The measured value and the threshold it crossed, in the rule's unit (ratio, count, ms, s). */
  observed: z.number(),
  threshold: z.number(),
  raisedAt: isoInstantSchema,
});

export const alertResolvedSchema = z.strictObject({
  alertId: z.uuid(),
  dataflowId: idSchema,
  rule: alertRuleKindSchema,
  summary: z.string().min(1),
  raisedAt: isoInstantSchema,
  resolvedAt: isoInstantSchema,
});

export type AlertRuleKind = z.infer<typeof alertRuleKindSchema>;
export type AlertRaised = z.infer<typeof alertRaisedSchema>;
export type AlertResolved = z.infer<typeof alertResolvedSchema>;

export const alertEventSchemas = {
  AlertRaised: alertRaisedSchema,
  AlertResolved: alertResolvedSchema,
} as const;
