import { parseStreamEvent } from '@spillway/xdm';
import { describe, expect, it } from 'vitest';
import { sampleProfiles } from './sample-profiles.ts';

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const sources = () => {
  let next = 0;
  return { random: seeded(7), newId: () => `profile-${++next}`, nowMs: Date.UTC(2024, 4, 1, 12, 0, 0, 750) };
};

describe('sample profiles', () => {
  it('given a count, then each profile gets an identity, attributes and a realization in the audience, in that order', () => {
    const profiles = sampleProfiles(3, 'vip-customers', sources());
    expect(profiles.map((profile) => profile.profileId)).toEqual(['profile-1', 'profile-2', 'profile-3']);
    for (const profile of profiles) {
      expect(profile.events.map((event) => event.type)).toEqual(['IdentitiesLinked', 'ProfileAttributesWritten', 'SegmentMembershipChanged']);
      expect(profile.events[2]!.data).toEqual({
        profileId: profile.profileId,
        audienceId: 'vip-customers',
        status: 'realized',
        lastQualificationTime: '2024-05-01T12:00:00Z',
      });
    }
  });

  it('given a profile, then its events are valid public events of its ingest stream', () => {
    const [profile] = sampleProfiles(1, 'vip-customers', sources());
    for (const event of profile!.events) expect(parseStreamEvent(`ingest-${profile!.profileId}`, event.type, event.data)).toMatchObject({ ok: true });
  });

  it('given a profile, then it carries the attributes the example dataflow maps and a 38-digit ECID', () => {
    const [profile] = sampleProfiles(1, 'vip-customers', sources());
    expect(profile!.events[1]!.data).toMatchObject({
      attributes: {
        person: { name: { firstName: profile!.firstName, lastName: profile!.lastName } },
        personalEmail: { address: profile!.email },
      },
    });
    expect(profile!.email).toMatch(/^[a-z-]+\.[a-z-]+\d+@example\.com$/);
    expect(profile!.ecid).toMatch(/^[1-9]\d{37}$/);
    expect(profile!.events[0]!.data).toEqual({ profileId: profile!.profileId, identities: { ecid: [{ id: profile!.ecid }] } });
  });
});
