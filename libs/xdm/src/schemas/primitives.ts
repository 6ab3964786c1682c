import { z } from 'zod';
import { isReservedKey } from '../json.ts';
import { isIsoInstant } from '../timestamps.ts';
import { pathProblem } from '../xdm-path.ts';

// Printable, no whitespace: ids become stream names (`ingest-<id>`) and object keys.
const idPattern = /^[^\s\p{Cc}]+$/u;

/** A profile, audience, destination or dataflow id. */
export const idSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty', abort: true })
  .max(256, { error: 'must be at most 256 characters', abort: true })
  .regex(idPattern, { error: 'must not contain whitespace or control characters' })
  .refine((id) => !isReservedKey(id), { error: 'is a reserved name' });

/** ISO-8601 instant with a time zone, e.g. `2019-04-15T02:41:50Z` or `2019-04-15T02:41:50+0000`. */
export const isoInstantSchema = z
  .string({ error: 'must be an ISO-8601 timestamp string' })
  .refine(isIsoInstant, { error: 'must be an ISO-8601 timestamp with a time zone, e.g. 2019-04-15T02:41:50Z' });

/** Epoch milliseconds. */
export const epochMsSchema = z
  .number({ error: 'must be a number of epoch milliseconds' })
  .int({ error: 'must be a whole number of epoch milliseconds' })
  .nonnegative({ error: 'must not be negative' })
  .max(8.64e15, { error: 'is beyond the representable dates' });

/** A dotted XDM field path, e.g. `person.name.firstName`. */
export const xdmPathSchema = z.string({ error: 'must be a dotted XDM path string' }).superRefine((path, context) => {
  const problem = pathProblem(path);
  if (problem) context.addIssue({ code: 'custom', message: `is not an XDM path: ${problem}` });
});

const envReferencePattern = /^env:[A-Za-z_][A-Za-z0-9_]*$/;
const fileReferencePattern = /^file:\/[^\0]*[^/\0]$/;

/** `env:NAME` or `file:/absolute/path`: where a secret lives; the value is never in a stream. */
export function isSecretReference(text: string): boolean {
  return envReferencePattern.test(text) || fileReferencePattern.test(text);
}

// The message never repeats the value: a mistake here usually means a pasted secret.
export const secretReferenceSchema = z
  .string({ error: 'must be a secret reference string (env:NAME or file:/absolute/path)' })
  .refine(isSecretReference, {
    error: 'must be a secret reference, env:NAME or file:/absolute/path, never the secret itself',
  });

/**
 * A record that reports reserved keys (`__proto__`, ...) instead of silently dropping them,
 * as z.record does for an own `__proto__` key coming from JSON.parse.
 */
export function guardedRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(keySchema: K, valueSchema: V, keyLabel: string, error: string) {
  return z
    .unknown()
    .superRefine((value, context) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        if (isReservedKey(key)) context.addIssue({ code: 'custom', path: [key], message: `${keyLabel} '${key}' is a reserved name` });
      }
    })
    .pipe(z.record(keySchema, valueSchema, { error: (issue) => (issue.code === 'invalid_type' ? error : undefined) }));
}
