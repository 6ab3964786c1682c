import { publicEventDataSchemas } from '@spillway/xdm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { internalEventSchemas } from './internal-streams.ts';

/**
 * The event catalogs parse with zod's compiled parser (`z.compile`, in @spillway/event-streams).
 * It must give exactly what each schema's own parser gives: the same data for valid events, the
 * same issues for invalid ones. Checked on valid events and on many ways of breaking each field.
 */
const id = '7dbca8da-4205-5924-96de-8ce84414dedc';
const at = '2026-11-22T15:55:18.983Z';
const profileId = 'profile-1';
const state = {
  profileId,
  attributes: { person: { name: { firstName: 'Ada', lastName: 'L' } }, personalEmail: { address: 'ada@example.com' }, tags: ['a', { b: 1 }], score: 1.5, gone: null },
  identityMap: { email: [{ id: 'ada@example.com' }], ecid: [{ id: '1' }, { id: '2' }] },
  segmentMembership: { ups: { 'aud-1': { status: 'realized', lastQualificationTime: '2019-04-15T02:41:50+0000' }, 'aud-2': { status: 'exited', lastQualificationTime: at } } },
};
const delivery = { exportId: id, sequence: 3, dataflowId: 'df-1', destinationId: 'dest-1', profileId, attempts: 1, ingestedAt: at };

const samples: readonly (readonly [string, z.ZodType, unknown])[] = [
  [
    'ProfileChanged',
    internalEventSchemas.ProfileChanged,
    {
      profileId,
      state,
      change: {
        profileId,
        attributesWritten: ['person.name.firstName'],
        identitiesAdded: [{ namespace: 'email', id: 'ada@example.com' }],
        identitiesRemoved: [],
        membershipsChanged: [{ audienceId: 'aud-1', previousStatus: null, status: 'realized', lastQualificationTime: '2019-04-15T02:41:50Z' }],
      },
      source: { streamId: 'ingest-profile-1', revision: 3, eventId: id, eventType: 'ProfileAttributesWritten' },
      ingestedAt: at,
    },
  ],
  [
    'ExportRequested',
    internalEventSchemas.ExportRequested,
    { exportId: id, sequence: 3, dataflowId: 'df-1', destinationId: 'dest-1', profileId, triggers: ['attribute', 'membership'], lane: 'live', document: { a: 1, b: { c: [1, 2] } }, ingestedAt: at, decidedAt: '2026-11-22T15:55:19Z' },
  ],
  ['ExportDelivered', internalEventSchemas.ExportDelivered, { ...delivery, status: 200, durationMs: 3.5, deliveredAt: at }],
  ['ExportFailed', internalEventSchemas.ExportFailed, { ...delivery, replayId: id, status: 500, reason: 'HTTP 500', failedAt: at }],
  ['ProfileAttributesWritten', publicEventDataSchemas.ProfileAttributesWritten, { profileId, attributes: state.attributes, writtenAt: at }],
  ['IdentitiesLinked', publicEventDataSchemas.IdentitiesLinked, { profileId, identities: state.identityMap }],
  ['SegmentMembershipChanged', publicEventDataSchemas.SegmentMembershipChanged, { profileId, audienceId: 'aud-1', status: 'realized', lastQualificationTime: at }],
  [
    'DataflowConfigured',
    publicEventDataSchemas.DataflowConfigured,
    { dataflowId: 'df-1', destinationId: 'dest-1', audiences: [{ audienceId: 'a1', mappingCreatedAt: 1649856570000 }, { audienceId: 'a2' }], attributes: ['person.name.firstName'], enabled: true },
  ],
];

const breakages: readonly unknown[] = [undefined, null, 7, -1, 1.5, '', 'x', '2019-04-15T02:41:50', true, [], {}, [1], { x: 1 }, Number.NaN];

/** The sample, and the sample with one value somewhere replaced, removed, or one key added. */
function* variants(value: unknown): Generator<unknown> {
  yield value;
  if (value === null || typeof value !== 'object') return;
  const entries = Object.entries(value);
  for (const [key, child] of entries) {
    const rebuild = (replacement: unknown, keep = true) => {
      if (Array.isArray(value)) return value.map((item, index) => (String(index) === key ? replacement : item));
      const copy: Record<string, unknown> = {};
      for (const [other, otherValue] of entries) if (other !== key || keep) copy[other] = other === key ? replacement : otherValue;
      return copy;
    };
    yield rebuild(undefined, false);
    for (const broken of breakages) yield rebuild(broken);
    for (const nested of variants(child)) if (nested !== child) yield rebuild(nested);
  }
  if (!Array.isArray(value)) {
    yield { ...value, extra: 1 };
    yield JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(value).slice(1)}`) as unknown;
  }
}

describe('zod compiled parsers of the event schemas', () => {
  it.each(samples)('%s: same data and the same issues as the schema itself, on valid and broken events', (_type, schema, sample) => {
    const fast = z.compile(schema);
    let invalid = 0;
    let count = 0;
    for (const variant of variants(JSON.parse(JSON.stringify(sample)))) {
      const expected = schema.safeParse(variant);
      const actual = fast.safeParse(variant);
      expect(actual.success).toBe(expected.success);
      if (expected.success) expect(actual.data).toStrictEqual(expected.data);
      else expect(actual.error?.issues).toStrictEqual(expected.error.issues);
      if (!expected.success) invalid++;
      count++;
    }
    expect(schema.safeParse(sample).success).toBe(true);
    expect(invalid).toBeGreaterThan(10);
    expect(count).toBeGreaterThan(invalid);
  });
});
