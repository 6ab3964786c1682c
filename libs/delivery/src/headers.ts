import { caseInsensitiveRepeats, pipelineOwnedHeaders } from '@spillway/xdm';
/**
 * Custom headers are the customer's, but a few names are ours: the receiver relies on them to
 * parse the body, authenticate us and drop duplicates, and the framing headers belong to the HTTP
 * client. We reject them when the destination is configured rather than silently overriding them
 * at delivery time, so the customer learns about the conflict where they can fix it.
 */
export const reservedHeaderNames: readonly string[] = [...pipelineOwnedHeaders];

export interface HeaderProblem {
  readonly header: string;
  readonly reason: string;
}

// RFC 9110 token characters for field names.
const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values may not carry line breaks or NUL (they would split or corrupt the request).
const forbiddenValueCharacters = /[\r\n\0]/;

/** Every problem with a set of custom headers, each naming the header; empty when they are usable. */
export function validateCustomHeaders(headers: Readonly<Record<string, string>>): HeaderProblem[] {
  const problems: HeaderProblem[] = [];
  const repeats = caseInsensitiveRepeats(Object.keys(headers));
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!headerNamePattern.test(name)) {
      problems.push({ header: name, reason: 'is not a valid HTTP header name' });
    } else if (reservedHeaderNames.includes(lower)) {
      problems.push({ header: name, reason: 'is set by Spillway and cannot be a custom header' });
    }
    if (forbiddenValueCharacters.test(value)) {
      problems.push({ header: name, reason: 'has a value containing a line break or NUL character' });
    }
    const earlier = repeats.get(name);
    if (earlier !== undefined) {
      problems.push({ header: name, reason: `duplicates header "${earlier}" (header names are case-insensitive)` });
    }
  }
  return problems;
}

export const redactedValue = '[redacted]';

const alwaysSensitive = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * A copy of the headers safe to log: credentials and every header whose value came from a secret
 * reference (named in `secretHeaderNames`, case-insensitively) are replaced by a marker.
 */
export function redactHeaders<V>(
  headers: Readonly<Record<string, V>>,
  secretHeaderNames: readonly string[] = [],
): Record<string, V | typeof redactedValue> {
  const secret = new Set(secretHeaderNames.map((name) => name.toLowerCase()));
  const redacted: Record<string, V | typeof redactedValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    redacted[name] = alwaysSensitive.has(lower) || secret.has(lower) ? redactedValue : value;
  }
  return redacted;
}
