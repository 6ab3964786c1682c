import { InvalidEnvironmentError } from '@spillway/event-streams';
import { z } from 'zod';

const alertManagerEnvironmentSchema = z.object({
  SPILLWAY_ALERT_TICK_MS: z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return 1000;
      const number = Number(value);
      if (Number.isInteger(number) && number >= 10 && number <= 60_000) return number;
      context.addIssue({ code: 'custom', message: `must be a whole number of milliseconds from 10 to 60000, got '${value}'` });
      return z.NEVER;
    }),
});

export interface AlertManagerSettings {
  readonly tickMs: number;
}

/** The alert manager's own settings (main passes `process.env`); the store's come from parseStoreEnvironment. */
export function parseAlertManagerSettings(environment: Readonly<Record<string, string | undefined>>): AlertManagerSettings {
  const parsed = alertManagerEnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEnvironmentError(String(issue?.path[0]), issue?.message ?? 'is invalid');
  }
  return { tickMs: parsed.data.SPILLWAY_ALERT_TICK_MS };
}
