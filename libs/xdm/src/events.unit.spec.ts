import { describe, expect, it } from 'vitest';
import { ingestEventTypes, parsePublicEvent, publicEvent } from './events.ts';
import { parseStreamEvent } from './stream-events.ts';

function issuesOf(type: string, data: unknown): string {
  const parsed = parsePublicEvent(type, data);
  if (parsed.ok) throw new Error(`expected ${type} to be rejected`);
  return parsed.error.message;
}

describe('ingest events', () => {
  it('accepts each ingest event of the contract', () => {
    const events = [
      publicEvent('ProfileAttributesWritten', {
        profileId: 'p1',
        attributes: { person: { name: { firstName: 'John', lastName: null } }, tags: ['a', { b: 1 }] },
        writtenAt: '2024-01-01T00:00:00Z',
      }),
      publicEvent('IdentitiesLinked', { profileId: 'p1', identities: { ecid: [{ id: '1457' }], email_lc_sha256: [{ id: 'ab' }] } }),
      publicEvent('IdentitiesUnlinked', { profileId: 'p1', identities: { ecid: [{ id: '1457' }] } }),
      publicEvent('SegmentMembershipChanged', { profileId: 'p1', audienceId: 'a1', status: 'realized', lastQualificationTime: '2019-04-15T02:41:50+0000' }),
    ];
    for (const event of events) expect(parsePublicEvent(event.type, event.data, ingestEventTypes)).toEqual({ ok: true, event });
  });

  it('names the missing field', () => {
    expect(issuesOf('ProfileAttributesWritten', { profileId: 'p1', attributes: {} })).toBe(
      'ProfileAttributesWritten: writtenAt: must be an ISO-8601 timestamp string',
    );
  });

  it('names a nested wrong field and the reason', () => {
    expect(issuesOf('IdentitiesLinked', { profileId: 'p1', identities: { ecid: [{ id: 42 }] } })).toBe(
      'IdentitiesLinked: identities.ecid[0].id: must be a string',
    );
    expect(issuesOf('SegmentMembershipChanged', { profileId: 'p1', audienceId: 'a1', status: 'qualified', lastQualificationTime: '2019-04-15T02:41:50Z' })).toBe(
      "SegmentMembershipChanged: status: must be 'realized' or 'exited'",
    );
  });

  it('refuses a time without a zone', () => {
    expect(issuesOf('SegmentMembershipChanged', { profileId: 'p1', audienceId: 'a1', status: 'exited', lastQualificationTime: '2019-04-15T02:41:50' })).toMatch(
      /^SegmentMembershipChanged: lastQualificationTime: must be an ISO-8601 timestamp with a time zone/,
    );
  });

  it('refuses unknown fields, naming them', () => {
    expect(issuesOf('IdentitiesUnlinked', { profileId: 'p1', identities: {}, extra: true })).toBe('IdentitiesUnlinked: (root): Unrecognized key: "extra"');
  });

  it('refuses hostile and reserved keys in attributes and identities, naming the path', () => {
    const hostile = JSON.parse('{"profileId":"p1","writtenAt":"2024-01-01T00:00:00Z","attributes":{"person":{"__proto__":{"polluted":1}}}}') as unknown;
    expect(issuesOf('ProfileAttributesWritten', hostile)).toBe("ProfileAttributesWritten: attributes.person.__proto__: field name '__proto__' is a reserved name");
    expect(issuesOf('ProfileAttributesWritten', { profileId: 'p1', writtenAt: '2024-01-01T00:00:00Z', attributes: { constructor: { prototype: 1 } } })).toMatch(
      /attributes\.constructor: field name 'constructor' is a reserved name/,
    );
    const hostileIdentities = JSON.parse('{"profileId":"p1","identities":{"__proto__":[{"id":"x"}]}}') as unknown;
    expect(issuesOf('IdentitiesLinked', hostileIdentities)).toMatch(/identities\.__proto__: identity namespace '__proto__' is a reserved name/);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('refuses identityMap and segmentMembership written as attributes', () => {
    expect(issuesOf('ProfileAttributesWritten', { profileId: 'p1', writtenAt: '2024-01-01T00:00:00Z', attributes: { identityMap: {} } })).toMatch(
      /attributes\.identityMap: is not an attribute: identities are written with IdentitiesLinked/,
    );
  });

  it('refuses field names with dots and values that are not JSON', () => {
    expect(issuesOf('ProfileAttributesWritten', { profileId: 'p1', writtenAt: '2024-01-01T00:00:00Z', attributes: { 'person.name': 'x' } })).toMatch(
      /attributes\.person\.name: field name 'person\.name' must be letters/,
    );
    expect(issuesOf('ProfileAttributesWritten', { profileId: 'p1', writtenAt: '2024-01-01T00:00:00Z', attributes: { a: { b: Number.NaN } } })).toBe(
      'ProfileAttributesWritten: attributes.a.b: must be a finite number',
    );
    expect(issuesOf('ProfileAttributesWritten', { profileId: 'p1', writtenAt: '2024-01-01T00:00:00Z', attributes: ['x'] })).toBe(
      'ProfileAttributesWritten: attributes: must be an object of XDM fields',
    );
  });

  it('refuses leaves nested deeper than 32 levels, whatever they hold, and names the path of a bad leaf at any depth', () => {
    const nested = (levels: number, leaf: unknown): unknown => (levels === 0 ? leaf : { f: nested(levels - 1, leaf) });
    const write = (attributes: unknown) => ({ profileId: 'p1', writtenAt: '2024-01-01T00:00:00Z', attributes });
    for (const leaf of ['x', 1, true, null]) {
      expect(parsePublicEvent('ProfileAttributesWritten', write(nested(32, leaf))).ok).toBe(true);
      expect(issuesOf('ProfileAttributesWritten', write(nested(33, leaf)))).toBe(`ProfileAttributesWritten: attributes${'.f'.repeat(33)}: nests deeper than 32 levels`);
    }
    expect(issuesOf('ProfileAttributesWritten', write({ a: Number.POSITIVE_INFINITY, b: 'x', c: { d: [1, Number.NaN] } }))).toBe(
      'ProfileAttributesWritten: attributes.a: must be a finite number; attributes.c.d[1]: must be a finite number',
    );
  });

  it('refuses an unknown event type, and a type the consumer does not handle', () => {
    expect(issuesOf('ProfileDeleted', {})).toMatch(/^ProfileDeleted: \(type\): unknown event type, expected one of ProfileAttributesWritten, /);
    const parsed = parsePublicEvent('DataflowDeleted', { dataflowId: 'd1' }, ingestEventTypes);
    expect(parsed.ok).toBe(false);
  });
});

describe('audience events', () => {
  const audience = { audienceId: 'a1', name: 'First name equals John', mergePolicyId: 'mp1', origin: 'segmentation', createdAt: 1648553325000, updatedAt: 1648553330000 };

  it('accepts a definition', () => {
    expect(parsePublicEvent('AudienceDefined', audience).ok).toBe(true);
  });

  it('names wrong fields', () => {
    expect(issuesOf('AudienceDefined', { ...audience, origin: 'csv', createdAt: '2022-03-29' })).toBe(
      "AudienceDefined: origin: must be 'segmentation' or 'custom-upload'; createdAt: must be a number of epoch milliseconds",
    );
  });
});

describe('parseStreamEvent', () => {
  it('accepts an event whose id matches its stream', () => {
    expect(parseStreamEvent('ingest-p-1', 'IdentitiesLinked', { profileId: 'p-1', identities: {} }).ok).toBe(true);
  });

  it('refuses an id that does not match the stream, naming the field', () => {
    const parsed = parseStreamEvent('ingest-p1', 'IdentitiesLinked', { profileId: 'p2', identities: {} });
    expect(!parsed.ok && parsed.error.message).toBe("IdentitiesLinked: profileId: 'p2' does not match the stream's id 'p1'");
  });

  it('refuses an event type that does not belong to the stream category', () => {
    const parsed = parseStreamEvent('audience-a1', 'IdentitiesLinked', { profileId: 'a1', identities: {} });
    expect(!parsed.ok && parsed.error.message).toBe('IdentitiesLinked: (type): unknown event type, expected one of AudienceDefined');
  });

  it('refuses a stream outside the public contract', () => {
    expect(parseStreamEvent('profile-p1', 'IdentitiesLinked', {}).ok).toBe(false);
  });
});
