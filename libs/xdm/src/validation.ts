import type { z } from 'zod';

/** One problem with an input: where (`audiences[1].audienceId`, `(root)` for the whole) and why. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(root)' : text;
}

/** The issues of a zod error as field paths and reasons. Input values are never echoed. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issueMessage(issue) }));
}

// A bad record key comes wrapped: its own reasons are more useful than "Invalid key in record".
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return issue.issues.map((inner) => inner.message).join(', ');
  return issue.message;
}

/** `path: message; path: message`, e.g. `auth.token: must be a secret reference ...`. */
export function describeZodError(error: z.ZodError): string {
  return describeIssues(fieldIssues(error));
}

export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly FieldIssue[]; readonly message: string };

/** Runs a schema and returns either the typed value or the issues, never throwing. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issues = fieldIssues(result.error);
  return { ok: false, issues, message: describeIssues(issues) };
}

/** An event whose type is unknown or whose data has the wrong shape. */
export class InvalidEventError extends Error {
  readonly type = 'InvalidEvent';
  readonly eventType: string;
  readonly issues: readonly FieldIssue[];
  constructor(eventType: string, issues: readonly FieldIssue[]) {
    super(`${eventType}: ${describeIssues(issues)}`);
    this.name = 'InvalidEventError';
    this.eventType = eventType;
    this.issues = issues;
  }
}
