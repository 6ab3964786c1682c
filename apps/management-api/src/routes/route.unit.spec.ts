import { describe, expect, it } from 'vitest';
import { dataflowFromBody, destinationFromBody } from './config-bodies.ts';
import { matchRoute, type Route } from './route.ts';

const handle = async () => ({ status: 200, body: {} });
const table: Route[] = [
  { method: 'GET', path: '/destinations/{id}', permission: 'view-destinations', summary: '', handle },
  { method: 'PUT', path: '/destinations/{id}', permission: 'manage-destinations', summary: '', handle },
  { method: 'GET', path: '/dataflows/{id}/status', permission: 'view-destinations', summary: '', handle },
];

describe('route matching', () => {
  it('finds the route and decodes its path parameters', () => {
    expect(matchRoute(table, 'PUT', '/destinations/a%20b')).toMatchObject({ route: { method: 'PUT' }, params: { id: 'a b' } });
    expect(matchRoute(table, 'GET', '/dataflows/f1/status')).toMatchObject({ params: { id: 'f1' } });
  });

  it('tells a path that exists with other methods from one that does not', () => {
    expect(matchRoute(table, 'DELETE', '/destinations/x')).toEqual({ allowed: ['GET', 'PUT'] });
    expect(matchRoute(table, 'GET', '/destinations')).toBeUndefined();
    expect(matchRoute(table, 'GET', '/destinations/')).toBeUndefined();
  });
});

describe('request bodies', () => {
  const destination = { name: 'R', endpoint: 'https://r.example.com', auth: { type: 'none' }, includeSegmentNames: false, includeSegmentTimestamps: false };

  it('turns the header and query text forms into the event maps', () => {
    expect(destinationFromBody('d1', { ...destination, headers: 'a:1, b:x:y', queryParams: 'p=1&q=a%20b' })).toMatchObject({ destinationId: 'd1', headers: { a: '1', b: 'x:y' }, queryParams: { p: '1', q: 'a b' } });
  });

  it('names the field and the reason of a refusal', () => {
    expect(() => destinationFromBody('d1', { ...destination, headers: 'a:1,,b:2' })).toThrow(expect.objectContaining({ status: 400, issues: [{ field: 'headers', reason: expect.stringContaining('item 2 is empty') }] }));
    expect(() => dataflowFromBody('f1', { destinationId: 'd1', audiences: [{ audienceId: 'a' }], attributes: ['person.name.'], enabled: true })).toThrow(
      expect.objectContaining({ status: 400, issues: [{ field: 'attributes[0]', reason: expect.stringContaining('is not an XDM path') }] }),
    );
    expect(() => dataflowFromBody('f1', [])).toThrow(expect.objectContaining({ issues: [{ field: '(body)', reason: 'must be a JSON object' }] }));
  });
});
