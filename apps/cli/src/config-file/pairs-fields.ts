import { validateCustomHeaders } from '@spillway/delivery';
import { isPlainObject, isReservedKey, reservedTokenParams } from '@spillway/xdm';
import { z } from 'zod';
import { headerListFormat, parseHeaderList, parseQueryString, queryStringFormat, type ParsedPairs } from '@spillway/config-formats';

type Context = z.RefinementCtx;

/** A map of name -> scalar as YAML gives it (`page: 2`), with every value as text. */
function mapToText(value: Record<string, unknown>, label: string, context: Context): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  let ok = true;
  for (const [name, item] of Object.entries(value)) {
    if (isReservedKey(name)) {
      context.addIssue({ code: 'custom', path: [name], message: `${label} '${name}' is a reserved name` });
      ok = false;
    } else if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      pairs[name] = String(item);
    } else {
      context.addIssue({ code: 'custom', path: [name], message: `${label} value must be text` });
      ok = false;
    }
  }
  return ok ? pairs : undefined;
}

function pairsField(label: string, format: string, parseText: (text: string) => ParsedPairs) {
  return z.unknown().transform((value, context): Record<string, string> => {
    if (typeof value === 'string') {
      const parsed = parseText(value);
      if (parsed.ok) return parsed.value;
      context.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    if (isPlainObject(value)) return mapToText(value, label, context) ?? z.NEVER;
    context.addIssue({ code: 'custom', message: `must be text in the form ${format}, or a map of ${label}: value` });
    return z.NEVER;
  });
}

/** `headers`: `header1:value1,header2:value2` or a map; names the delivery agent would refuse are refused here. */
export const headersField = pairsField('header', headerListFormat, parseHeaderList).superRefine((headers, context) => {
  for (const problem of validateCustomHeaders(headers)) {
    const hint = problem.header.toLowerCase() === 'authorization' ? '; use auth (type bearer with a token reference) instead' : '';
    context.addIssue({ code: 'custom', path: [problem.header], message: `header ${problem.reason}${hint}` });
  }
});

/** `queryParams`: `parameter1=value&parameter2=value` or a map. */
export const queryParamsField = pairsField('parameter', queryStringFormat, parseQueryString);

/** `extraTokenParams` of the OAuth kinds: `name=value&name2=value2` or a map; not a parameter the grant sets. */
export const tokenParamsField = pairsField('token parameter', queryStringFormat, parseQueryString).superRefine((params, context) => {
  for (const name of Object.keys(params)) {
    if (reservedTokenParams.has(name)) {
      context.addIssue({ code: 'custom', path: [name], message: 'is set by the grant (or by the scope / audience field) and cannot be an extra token parameter' });
    }
  }
});
