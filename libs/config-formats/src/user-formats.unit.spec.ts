import { describe, expect, it } from 'vitest';
import { formatHeaderList, formatQueryString, parseHeaderList, parseQueryString } from './user-formats.ts';

describe('headers in the user-facing format header1:value1,header2:value2', () => {
  it('reads names and values, trimming the spaces around them', () => {
    expect(parseHeaderList('x-api-version:2, x-tenant : acme ')).toEqual({ ok: true, value: { 'x-api-version': '2', 'x-tenant': 'acme' } });
  });

  it('keeps a colon inside a value (the first colon separates name and value)', () => {
    expect(parseHeaderList('x-callback:https://example.com:8443/hook')).toEqual({ ok: true, value: { 'x-callback': 'https://example.com:8443/hook' } });
  });

  it('reads an empty string as no headers, and allows an empty value', () => {
    expect(parseHeaderList('')).toEqual({ ok: true, value: {} });
    expect(parseHeaderList('x-empty:')).toEqual({ ok: true, value: { 'x-empty': '' } });
  });

  it.each([
    ['x-a:1,x-b', 'item 2 "x-b" has no \':\' between name and value'],
    ['x-a:1,,x-b:2', 'item 2 is empty'],
    ['x-a:1,', 'item 2 is empty'],
    [':value', 'item 1 has no header name before \':\''],
    ['X-Tenant:a,x-tenant:b', 'header "x-tenant" is given twice (header names are case-insensitive)'],
  ])('refuses %j, saying which item is wrong and what is expected', (text, problem) => {
    const parsed = parseHeaderList(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toContain(problem);
    expect(parsed.problem).toContain('expected header1:value1,header2:value2 (or a map of header: value)');
  });

  it('formats stored headers back into the user-facing form', () => {
    expect(formatHeaderList({ 'x-a': '1', 'x-b': 'two words' })).toBe('x-a:1,x-b:two words');
    expect(parseHeaderList(formatHeaderList({ 'x-a': '1', 'x-b': 'two words' }))).toEqual({ ok: true, value: { 'x-a': '1', 'x-b': 'two words' } });
  });
});

describe('query parameters in the user-facing format parameter1=value&parameter2=value', () => {
  it('reads names and values, decoding %-escapes and keeping + as a plus sign', () => {
    expect(parseQueryString('source=spillway&region=eu%20west&expr=a+b')).toEqual({
      ok: true,
      value: { source: 'spillway', region: 'eu west', expr: 'a+b' },
    });
  });

  it('accepts a pasted leading ?, an = inside a value and an empty value', () => {
    expect(parseQueryString('?token=a=b&empty=')).toEqual({ ok: true, value: { token: 'a=b', empty: '' } });
  });

  it('reads an empty string as no parameters', () => {
    expect(parseQueryString('  ')).toEqual({ ok: true, value: {} });
  });

  it.each([
    ['a=1&b', 'item 2 "b" has no \'=\' between name and value'],
    ['a=1&&b=2', 'item 2 is empty'],
    ['=1', 'item 1 has no parameter name before \'=\''],
    ['a=%zz', 'item 1 has a malformed %-escape'],
    ['a=1&a=2', 'parameter "a" is given twice'],
  ])('refuses %j, saying which item is wrong and what is expected', (text, problem) => {
    const parsed = parseQueryString(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toContain(problem);
    expect(parsed.problem).toContain('expected parameter1=value&parameter2=value (or a map of parameter: value)');
  });

  it('formats stored parameters as the delivery agent sends them, and reads that back', () => {
    const params = { region: 'eu west', expr: 'a+b&c' };
    expect(formatQueryString(params)).toBe('region=eu%20west&expr=a%2Bb%26c');
    expect(parseQueryString(formatQueryString(params))).toEqual({ ok: true, value: params });
  });
});
