import { describe, expect, it } from 'vitest';
import { redactHeaders, validateCustomHeaders } from './headers.ts';
import { deliveryTargetSchema } from './target.ts';

describe('validateCustomHeaders', () => {
  it('accepts ordinary custom headers', () => {
    expect(validateCustomHeaders({ 'X-Api-Key': 'k', 'x-tenant': 'acme corp', Accept: 'application/json' })).toEqual([]);
  });

  it.each(['Content-Type', 'authorization', 'X-Export-Id', 'x-export-sequence', 'Host', 'Content-Length'])(
    'rejects %s, naming it',
    (header) => {
      expect(validateCustomHeaders({ [header]: 'v' })).toEqual([{ header, reason: 'is set by Spillway and cannot be a custom header' }]);
    },
  );

  it('rejects names that are not HTTP tokens and values with line breaks', () => {
    expect(validateCustomHeaders({ 'bad name': 'v', 'X-Inject': 'a\r\nX-Evil: 1' })).toEqual([
      { header: 'bad name', reason: 'is not a valid HTTP header name' },
      { header: 'X-Inject', reason: 'has a value containing a line break or NUL character' },
    ]);
  });

  it('rejects the same header twice in different case', () => {
    expect(validateCustomHeaders({ 'X-Tenant': 'a', 'x-tenant': 'b' })).toEqual([
      { header: 'x-tenant', reason: 'duplicates header "X-Tenant" (header names are case-insensitive)' },
    ]);
  });

  it('makes a target with a reserved header fail to parse, with the header in the message', () => {
    const result = deliveryTargetSchema.safeParse({ endpoint: 'http://127.0.0.1/x', headers: { 'X-Export-Id': 'mine' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([
      { path: ['headers', 'X-Export-Id'], message: 'header "X-Export-Id" is set by Spillway and cannot be a custom header' },
    ]);
  });
});

describe('redactHeaders', () => {
  it('hides credentials and headers whose values came from secrets, whatever their case', () => {
    const headers = { authorization: 'Bearer s3cret', 'X-Api-Key': 'k3y', 'x-tenant': 'acme', Cookie: 'session=1' };
    expect(redactHeaders(headers, ['x-api-key'])).toEqual({
      authorization: '[redacted]',
      'X-Api-Key': '[redacted]',
      'x-tenant': 'acme',
      Cookie: '[redacted]',
    });
  });

  it('leaves the given headers untouched', () => {
    const headers = { Authorization: 'Bearer s3cret' };
    redactHeaders(headers);
    expect(headers).toEqual({ Authorization: 'Bearer s3cret' });
  });
});
