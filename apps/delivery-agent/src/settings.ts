import { parsePartition } from '@spillway/event-streams';
import { z } from 'zod';
import { defaultAgentSettings, type AgentSettings } from './delivery/agent.ts';

const positiveInteger = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
        context.addIssue({ code: 'custom', message: `must be a positive whole number, got '${value}'` });
        return z.NEVER;
      }
      return Number(value);
    });

const nonNegativeInteger = (fallback: number, unit = 'milliseconds', max?: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '') return fallback;
      if (!/^\d+$/.test(value.trim()) || (max !== undefined && Number(value) > max)) {
        context.addIssue({ code: 'custom', message: `must be a whole number of ${unit}${max === undefined ? '' : ` from 0 to ${max}`}, got '${value}'` });
        return z.NEVER;
      }
      return Number(value);
    });

/** The agent's environment, each variable named as the operator sets it. */
export const agentEnvironmentSchema = z.object({
  SPILLWAY_PARTITION: z
    .string()
    .optional()
    .transform((value, context) => {
      try {
        return parsePartition(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
  SPILLWAY_DELIVERY_MAX_IN_FLIGHT: positiveInteger(defaultAgentSettings.maxInFlight),
  SPILLWAY_DELIVERY_MAX_QUEUED_PER_DESTINATION: positiveInteger(defaultAgentSettings.maxQueuedPerDestination),
  SPILLWAY_DELIVERY_MAX_IN_FLIGHT_PER_DESTINATION: positiveInteger(defaultAgentSettings.maxInFlightPerDestination),
  SPILLWAY_DELIVERY_STOP_GRACE_MS: nonNegativeInteger(defaultAgentSettings.stopGraceMs),
  SPILLWAY_DELIVERY_SECRET_REFRESH_MS: nonNegativeInteger(defaultAgentSettings.secretRefreshMs),
  SPILLWAY_DELIVERY_SENDER_THREADS: nonNegativeInteger(defaultAgentSettings.senderThreads, 'threads', 16),
});

export class InvalidAgentSettingsError extends Error {
  readonly type = 'invalid-agent-settings';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid delivery-agent settings: ${problems.join('; ')}`);
    this.name = 'InvalidAgentSettingsError';
    this.problems = problems;
  }
}

export function parseAgentSettings(env: Readonly<Record<string, string | undefined>>): AgentSettings {
  const parsed = agentEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new InvalidAgentSettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const settings = parsed.data;
  return {
    partition: settings.SPILLWAY_PARTITION,
    maxInFlight: settings.SPILLWAY_DELIVERY_MAX_IN_FLIGHT,
    maxQueuedPerDestination: settings.SPILLWAY_DELIVERY_MAX_QUEUED_PER_DESTINATION,
    maxInFlightPerDestination: settings.SPILLWAY_DELIVERY_MAX_IN_FLIGHT_PER_DESTINATION,
    stopGraceMs: settings.SPILLWAY_DELIVERY_STOP_GRACE_MS,
    secretRefreshMs: settings.SPILLWAY_DELIVERY_SECRET_REFRESH_MS,
    senderThreads: settings.SPILLWAY_DELIVERY_SENDER_THREADS,
  };
}
