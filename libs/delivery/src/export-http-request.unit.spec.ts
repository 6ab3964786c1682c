import { describe, expect, it } from 'vitest';
import { buildExportHeaders, buildExportUrl, fixedExportHeaders, perExportHeaders, userAgent } from './export-http-request.ts';

describe('buildExportUrl', () => {
  it('appends configured parameters to the endpoint', () => {
    expect(buildExportUrl({ endpoint: 'https://hooks.example.com/in', queryParams: { a: '1', b: '2' } })).toBe('https://hooks.example.com/in?a=1&b=2');
  });

  it('keeps the query already in the endpoint and adds the configured ones after it', () => {
    expect(buildExportUrl({ endpoint: 'https://h.example.com/in?token=x%2By&v=2', queryParams: { tenant: 'acme' } })).toBe(
      'https://h.example.com/in?token=x%2By&v=2&tenant=acme',
    );
  });

  it('percent-encodes names and values', () => {
    expect(buildExportUrl({ endpoint: 'http://127.0.0.1:1/p', queryParams: { 'a b': 'x&y=z', 'ü': 'é/?#+' } })).toBe(
      'http://127.0.0.1:1/p?a%20b=x%26y%3Dz&%C3%BC=%C3%A9%2F%3F%23%2B',
    );
  });

  it('drops a fragment and leaves the URL alone without parameters', () => {
    expect(buildExportUrl({ endpoint: 'http://127.0.0.1:1/p?q=1#frag', queryParams: {} })).toBe('http://127.0.0.1:1/p?q=1');
  });
});

describe('buildExportHeaders', () => {
  const request = { exportId: 'exp-1', sequence: 42 };

  it('puts ours after the custom ones, lower-cased', () => {
    expect(buildExportHeaders(request, { headers: { 'X-Tenant': 'acme' } }, undefined)).toEqual({
      'user-agent': userAgent,
      'x-tenant': 'acme',
      'content-type': 'application/json',
      'x-export-id': 'exp-1',
      'x-export-sequence': '42',
    });
  });

  it('adds the authorization the destination authorizer gave', () => {
    expect(buildExportHeaders(request, { headers: {} }, 'Bearer t0k')).toMatchObject({ authorization: 'Bearer t0k' });
  });

  it('never lets a custom header that slipped past validation override ours', () => {
    const headers = buildExportHeaders(request, {
      headers: { 'Content-Type': 'text/plain', 'X-Export-Id': 'forged', Authorization: 'Basic x' },
    }, undefined);
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'x-export-id': 'exp-1' });
    expect(headers).not.toHaveProperty('authorization');
  });
});

describe('fixedExportHeaders and perExportHeaders', () => {
  it('split buildExportHeaders into what every export of the destination carries and what each has of its own', () => {
    const target = { headers: { 'X-Tenant': 'acme', 'X-Export-Sequence': '0', Authorization: 'Basic x' } };
    expect(fixedExportHeaders(target)).toEqual({ 'user-agent': userAgent, 'x-tenant': 'acme', 'content-type': 'application/json' });
    expect(perExportHeaders({ exportId: 'exp-1', sequence: 3 }, undefined)).toEqual({ 'x-export-id': 'exp-1', 'x-export-sequence': '3', authorization: undefined });
    expect({ ...fixedExportHeaders(target), 'x-export-id': 'exp-1', 'x-export-sequence': '3', authorization: 'Bearer t' }).toEqual(buildExportHeaders({ exportId: 'exp-1', sequence: 3 }, target, 'Bearer t'));
  });
});
