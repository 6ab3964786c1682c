/**
 * The user-facing text forms of product.md section 4: headers as `header1:value1,header2:value2`
 * and query parameters as `parameter1=value&parameter2=value`. Problems say which item is wrong
 * and what is expected, so a message can be shown as-is next to the field path.
 */
export type ParsedPairs = { readonly ok: true; readonly value: Record<string, string> } | { readonly ok: false; readonly problem: string };

export const headerListFormat = 'header1:value1,header2:value2';
export const queryStringFormat = 'parameter1=value&parameter2=value';

const headerHint = `expected ${headerListFormat} (or a map of header: value)`;
const queryHint = `expected ${queryStringFormat} (or a map of parameter: value)`;

/** `a:1, b:2` -> `{ a: '1', b: '2' }`. Names and values are trimmed; a value may contain ':'. */
export function parseHeaderList(text: string): ParsedPairs {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  const items = text.trim() === '' ? [] : text.split(',');
  for (const [index, rawItem] of items.entries()) {
    const item = rawItem.trim();
    const label = `item ${index + 1}`;
    if (item === '') return problem(`${label} is empty; ${headerHint}`);
    const colon = item.indexOf(':');
    if (colon === -1) return problem(`${label} ${quote(item)} has no ':' between name and value; ${headerHint}`);
    const name = item.slice(0, colon).trim();
    if (name === '') return problem(`${label} has no header name before ':'; ${headerHint}`);
    if (seen.has(name.toLowerCase())) return problem(`header ${quote(name)} is given twice (header names are case-insensitive); ${headerHint}`);
    seen.add(name.toLowerCase());
    headers[name] = item.slice(colon + 1).trim();
  }
  return { ok: true, value: headers };
}

/** `a=1&b=x%20y` -> `{ a: '1', b: 'x y' }`. %-escapes are decoded; `+` stays a plus sign. */
export function parseQueryString(text: string): ParsedPairs {
  const params: Record<string, string> = {};
  const trimmed = text.trim().replace(/^\?/, '');
  const items = trimmed === '' ? [] : trimmed.split('&');
  for (const [index, item] of items.entries()) {
    const label = `item ${index + 1}`;
    if (item === '') return problem(`${label} is empty; ${queryHint}`);
    const equals = item.indexOf('=');
    if (equals === -1) return problem(`${label} ${quote(item)} has no '=' between name and value; ${queryHint}`);
    const name = decode(item.slice(0, equals));
    const value = decode(item.slice(equals + 1));
    if (name === undefined || value === undefined) return problem(`${label} has a malformed %-escape (use %XX with two hex digits); ${queryHint}`);
    if (name === '') return problem(`${label} has no parameter name before '='; ${queryHint}`);
    if (Object.hasOwn(params, name)) return problem(`parameter ${quote(name)} is given twice; ${queryHint}`);
    params[name] = value;
  }
  return { ok: true, value: params };
}

/** The user-facing form of stored headers (for `destinations show`). */
export function formatHeaderList(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}:${value}`)
    .join(',');
}

/** The user-facing form of stored query parameters, encoded as the delivery agent sends them. */
export function formatQueryString(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const maxQuoted = 40;

function quote(text: string): string {
  return JSON.stringify(text.length > maxQuoted ? `${text.slice(0, maxQuoted)}...` : text);
}

function problem(text: string): ParsedPairs {
  return { ok: false, problem: text };
}
