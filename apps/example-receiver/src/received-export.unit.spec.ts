import { describe, expect, it } from 'vitest';
import { parseReceiverOptions } from './options.ts';
import { describeExport, RecentExports, type ReceivedExport } from './received-export.ts';

describe('describeExport', () => {
  it('keeps the method, path with query, X-Export-* headers, auth scheme and document', () => {
    const described = describeExport({
      method: 'POST',
      url: '/exports?tenant=acme',
      headers: { 'x-export-id': 'e-1', 'x-export-sequence': '4', authorization: 'Bearer s3cret', 'x-tenant': 'acme', host: 'h' },
      document: { person: { name: { firstName: 'Jo' } } },
      receivedAt: new Date('2025-01-01T00:00:00Z'),
    });

    expect(described).toEqual({
      receivedAt: '2025-01-01T00:00:00.000Z',
      method: 'POST',
      path: '/exports?tenant=acme',
      exportHeaders: { 'x-export-id': 'e-1', 'x-export-sequence': '4' },
      auth: 'Bearer',
      document: { person: { name: { firstName: 'Jo' } } },
    });
    expect(JSON.stringify(described)).not.toContain('s3cret');
  });

  it('says none without an Authorization header', () => {
    expect(describeExport({ method: 'POST', url: '/', headers: {}, document: {}, receivedAt: new Date(0) }).auth).toBe('none');
  });
});

describe('RecentExports', () => {
  it('keeps only the last ones, oldest first', () => {
    const recent = new RecentExports(3);
    for (const n of [1, 2, 3, 4, 5]) recent.add({ path: `/${n}` } as ReceivedExport);
    expect(recent.list().map((item) => item.path)).toEqual(['/3', '/4', '/5']);
  });
});

describe('parseReceiverOptions', () => {
  it('listens on 127.0.0.1:8787 by default', () => {
    expect(parseReceiverOptions({})).toEqual({ host: '127.0.0.1', port: 8787 });
  });

  it('takes RECEIVER_PORT', () => {
    expect(parseReceiverOptions({ RECEIVER_PORT: '9000' }).port).toBe(9000);
  });

  it('names RECEIVER_PORT when it is not a port', () => {
    expect(() => parseReceiverOptions({ RECEIVER_PORT: 'eighty' })).toThrow('RECEIVER_PORT must be a port number (0-65535), got "eighty"');
  });
});
