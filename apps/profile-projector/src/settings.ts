import { InvalidEnvironmentError, parsePartition, type Partition } from '@spillway/event-streams';
import { z } from 'zod';

const positiveInteger = (fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return fallback;
      const number = Number(value);
      if (Number.isInteger(number) && number >= 1) return number;
      context.addIssue({ code: 'custom', message: `must be a positive whole number, got '${value}'` });
      return z.NEVER;
    });

const projectorEnvironmentSchema = z.object({
  SPILLWAY_PROFILE_CACHE_SIZE: positiveInteger(50_000),
  SPILLWAY_PROJECTOR_MAX_IN_FLIGHT: positiveInteger(256),
});

export interface ProjectorSettings {
  readonly partition: Partition;
  readonly cacheSize: number;
  readonly maxInFlight: number;
}

/** The projector's own settings (main passes `process.env`); the store's come from parseStoreEnvironment. */
export function parseProjectorSettings(environment: Readonly<Record<string, string | undefined>>): ProjectorSettings {
  const parsed = projectorEnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEnvironmentError(String(issue?.path[0]), issue?.message ?? 'is invalid');
  }
  let partition: Partition;
  try {
    partition = parsePartition(environment['SPILLWAY_PARTITION']);
  } catch (error) {
    throw new InvalidEnvironmentError('SPILLWAY_PARTITION', error instanceof Error ? error.message : String(error));
  }
  return { partition, cacheSize: parsed.data.SPILLWAY_PROFILE_CACHE_SIZE, maxInFlight: parsed.data.SPILLWAY_PROJECTOR_MAX_IN_FLIGHT };
}
