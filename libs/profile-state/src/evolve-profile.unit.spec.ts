import { describe, expect, it } from 'vitest';
import { publicEvent, type IngestEvent } from '@spillway/xdm';
import { ProfileMismatchError, evolveProfile, foldProfile } from './evolve-profile.ts';
import { isMembershipTransition } from './memberships.ts';
import { emptyProfileState, isEmptyChange, profileChangeSchema, profileStateSchema } from './profile-state.ts';

const writtenAt = '2024-05-01T10:00:00Z';
const write = (attributes: Record<string, unknown>): IngestEvent =>
  publicEvent('ProfileAttributesWritten', { profileId: 'p1', attributes: attributes as never, writtenAt });
const link = (identities: Record<string, { id: string }[]>): IngestEvent => publicEvent('IdentitiesLinked', { profileId: 'p1', identities });
const unlink = (identities: Record<string, { id: string }[]>): IngestEvent => publicEvent('IdentitiesUnlinked', { profileId: 'p1', identities });
const membership = (audienceId: string, status: 'realized' | 'exited', lastQualificationTime: string): IngestEvent =>
  publicEvent('SegmentMembershipChanged', { profileId: 'p1', audienceId, status, lastQualificationTime });

const given = (...events: IngestEvent[]) => foldProfile('p1', events);

describe('attributes', () => {
  it('writes leaves and reports every leaf path written', () => {
    const { state, change } = evolveProfile(undefined, write({ person: { name: { firstName: 'John', lastName: 'Doe' } } }));
    expect(state.attributes).toEqual({ person: { name: { firstName: 'John', lastName: 'Doe' } } });
    expect(change.attributesWritten).toEqual(['person.name.firstName', 'person.name.lastName']);
  });

  it('reports a write of an unchanged value, leaving the state object as it was', () => {
    const before = given(write({ person: { name: { firstName: 'John' } } }));
    const { state, change } = evolveProfile(before, write({ person: { name: { firstName: 'John' } } }));
    expect(state).toBe(before);
    expect(change.attributesWritten).toEqual(['person.name.firstName']);
  });

  it('removes a null leaf and empty parents, reporting the removal as a write', () => {
    const before = given(write({ person: { name: { firstName: 'John' } }, personalEmail: { address: 'j@acme.com' } }));
    const { state, change } = evolveProfile(before, write({ person: { name: { firstName: null } } }));
    expect(state.attributes).toEqual({ personalEmail: { address: 'j@acme.com' } });
    expect(change.attributesWritten).toEqual(['person.name.firstName']);
    expect(state.identityMap).toBe(before.identityMap);
  });
});

describe('identities', () => {
  it('adds identities, dedupes ids and reports only real additions', () => {
    const before = given(link({ ecid: [{ id: 'e1' }] }));
    const { state, change } = evolveProfile(before, link({ ecid: [{ id: 'e1' }, { id: 'e2' }, { id: 'e2' }], email: [{ id: 'm1' }] }));
    expect(state.identityMap).toEqual({ ecid: [{ id: 'e1' }, { id: 'e2' }], email: [{ id: 'm1' }] });
    expect(change.identitiesAdded).toEqual([
      { namespace: 'ecid', id: 'e2' },
      { namespace: 'email', id: 'm1' },
    ]);
  });

  it('links an identity already present as no change at all', () => {
    const before = given(link({ ecid: [{ id: 'e1' }] }));
    const { state, change } = evolveProfile(before, link({ ecid: [{ id: 'e1' }] }));
    expect(state).toBe(before);
    expect(isEmptyChange(change)).toBe(true);
  });

  it('removes identities, drops empty namespaces and reports only real removals', () => {
    const before = given(link({ ecid: [{ id: 'e1' }, { id: 'e2' }], email: [{ id: 'm1' }] }));
    const { state, change } = evolveProfile(before, unlink({ ecid: [{ id: 'e2' }, { id: 'absent' }], email: [{ id: 'm1' }], phone: [{ id: 'x' }] }));
    expect(state.identityMap).toEqual({ ecid: [{ id: 'e1' }] });
    expect(change.identitiesRemoved).toEqual([
      { namespace: 'ecid', id: 'e2' },
      { namespace: 'email', id: 'm1' },
    ]);
  });

  it('unlinks identities that are absent as no change at all', () => {
    const before = given(link({ ecid: [{ id: 'e1' }] }));
    const { state, change } = evolveProfile(before, unlink({ ecid: [{ id: 'e9' }] }));
    expect(state).toBe(before);
    expect(isEmptyChange(change)).toBe(true);
  });
});

describe('memberships', () => {
  it.each([
    { history: [], status: 'realized', previous: null, transition: true },
    { history: ['realized'], status: 'exited', previous: 'realized', transition: true },
    { history: ['realized', 'exited'], status: 'realized', previous: 'exited', transition: true },
    { history: ['realized'], status: 'realized', previous: 'realized', transition: false },
    { history: ['realized', 'exited'], status: 'exited', previous: 'exited', transition: false },
    { history: [], status: 'exited', previous: null, transition: false },
  ] as const)('$previous -> $status is a transition: $transition', ({ history, status, previous, transition }) => {
    const before = given(...history.map((past, index) => membership('a1', past, `2024-01-0${index + 1}T00:00:00Z`)));
    const { state, change } = evolveProfile(before, membership('a1', status, '2024-02-01T00:00:00.250+01:00'));
    expect(state.segmentMembership.ups['a1']).toEqual({ status, lastQualificationTime: '2024-01-31T23:00:00Z' });
    expect(change.membershipsChanged).toEqual([{ audienceId: 'a1', previousStatus: previous, status, lastQualificationTime: '2024-01-31T23:00:00Z' }]);
    expect(isMembershipTransition(change.membershipsChanged[0]!)).toBe(transition);
  });

  it('records the same status and time again as no change at all', () => {
    const before = given(membership('a1', 'realized', '2024-01-01T00:00:00Z'));
    const { state, change } = evolveProfile(before, membership('a1', 'realized', '2024-01-01T00:00:00+00:00'));
    expect(state).toBe(before);
    expect(isEmptyChange(change)).toBe(true);
  });

  it('keeps other audiences as they were', () => {
    const before = given(membership('a1', 'realized', '2024-01-01T00:00:00Z'), membership('a2', 'exited', '2024-01-02T00:00:00Z'));
    const { state } = evolveProfile(before, membership('a1', 'exited', '2024-01-03T00:00:00Z'));
    expect(state.segmentMembership.ups).toEqual({
      a1: { status: 'exited', lastQualificationTime: '2024-01-03T00:00:00Z' },
      a2: { status: 'exited', lastQualificationTime: '2024-01-02T00:00:00Z' },
    });
    expect(state.attributes).toBe(before.attributes);
  });
});

describe('the fold', () => {
  it('refuses an event of another profile', () => {
    expect(() => evolveProfile(emptyProfileState('p2'), write({ a: 1 }))).toThrow(ProfileMismatchError);
  });

  it('produces a state and changes that their schemas accept', () => {
    const before = given(write({ person: { name: { firstName: 'J' } } }), link({ ecid: [{ id: 'e1' }] }));
    const { state, change } = evolveProfile(before, membership('a1', 'realized', '2024-01-01T00:00:00Z'));
    expect(profileStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(profileChangeSchema.parse(change)).toEqual(change);
  });
});
