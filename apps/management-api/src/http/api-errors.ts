import type { z } from 'zod';

export interface FieldIssue {
  readonly field: string;
  readonly reason: string;
}

/** An answer other than success: its status, a literal type, and what the caller needs to fix it. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly issues: readonly FieldIssue[] | undefined;
  constructor(status: number, type: string, message: string, issues?: readonly FieldIssue[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.issues = issues;
  }
}

export const invalidRequest = (issues: readonly FieldIssue[]): ApiError =>
  new ApiError(400, 'invalid-request', issues.map((issue) => `${issue.field}: ${issue.reason}`).join('; '), issues);

export const notFound = (what: string): ApiError => new ApiError(404, 'not-found', `${what} does not exist`);

/** `audiences.0.audienceId` -> `audiences[0].audienceId`; a prefix names where the value was (`body`, `query`). */
export function fieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({ field: formatPath(prefix, issue.path), reason: issue.message }));
}

export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let text = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(body)' : text;
}
