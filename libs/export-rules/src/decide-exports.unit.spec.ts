import { describe, expect, it } from 'vitest';
import { emptyProfileState, evolveProfile } from '@spillway/profile-state';
import { ingestEvents } from '@spillway/xdm';
import { indexDataflows } from './dataflow-index.ts';
import { decideExports } from './decide-exports.ts';
import { dataflow, deciderSpec } from './testing/decider-spec.ts';

const at = '2024-05-01T10:00:00Z';
const p = 'p1';
const write = (attributes: Parameters<typeof ingestEvents.attributesWritten>[1]) => ingestEvents.attributesWritten(p, attributes, at);
const realized = (audienceId: string, time = '2024-05-01T10:00:00Z') => ingestEvents.membershipChanged(p, audienceId, 'realized', time);
const exited = (audienceId: string, time = '2024-05-02T10:00:00Z') => ingestEvents.membershipChanged(p, audienceId, 'exited', time);
const link = (namespace: string, id: string) => ingestEvents.identitiesLinked(p, { [namespace]: [{ id }] });
const unlink = (namespace: string, id: string) => ingestEvents.identitiesUnlinked(p, { [namespace]: [{ id }] });

const flow = deciderSpec([dataflow('df1', { audiences: ['mapped', 'mapped-too'], attributes: ['person.name.firstName', 'personalEmail.address', 'loyalty'] })]);

describe('rule 1: membership', () => {
  it('exports when the profile qualifies for a mapped audience (none -> realized)', () => {
    flow.given().when(realized('mapped')).then([
      { dataflowId: 'df1', destinationId: 'dest-df1', profileId: p, triggers: ['membership'], changedAudienceIds: ['mapped'] },
    ]);
  });

  it('exports an exit (realized -> exited), the profile then holding status exited', () => {
    const result = flow.given(realized('mapped')).when(exited('mapped'));
    result.thenExports({ df1: ['membership'] });
    expect(result.profile.segmentMembership.ups['mapped']?.status).toBe('exited');
  });

  it('exports a return (exited -> realized)', () => {
    flow.given(realized('mapped'), exited('mapped')).when(realized('mapped', '2024-06-01T00:00:00Z')).thenExports({ df1: ['membership'] });
  });

  it('does not export a re-qualification with the same status, even with a newer time', () => {
    flow.given(realized('mapped')).when(realized('mapped', '2024-06-01T00:00:00Z')).thenNothing();
    flow.given(realized('mapped'), exited('mapped')).when(exited('mapped', '2024-06-01T00:00:00Z')).thenNothing();
  });

  it('does not export an exit from an audience the profile never was in (none -> exited)', () => {
    flow.given().when(exited('mapped')).thenNothing();
  });

  it('never exports a status change in an unmapped audience', () => {
    flow.given().when(realized('unmapped')).thenNothing();
    flow.given(realized('mapped'), realized('unmapped')).when(exited('unmapped')).thenNothing();
  });
});

describe('rule 2: identity', () => {
  it('exports an added identity when the profile is realized in a mapped audience', () => {
    flow.given(realized('mapped')).when(link('ecid', 'e1')).thenExports({ df1: ['identity'] });
  });

  it('exports a removed identity when the profile is realized in a mapped audience', () => {
    flow.given(realized('mapped'), link('ecid', 'e1')).when(unlink('ecid', 'e1')).thenExports({ df1: ['identity'] });
  });

  it('does not export identity changes of a profile not realized in a mapped audience', () => {
    flow.given().when(link('ecid', 'e1')).thenNothing();
    flow.given(realized('unmapped')).when(link('ecid', 'e1')).thenNothing();
    flow.given(realized('mapped'), exited('mapped')).when(link('ecid', 'e1')).thenNothing();
  });

  it('does not export linking an identity already there, nor unlinking one that is not', () => {
    flow.given(realized('mapped'), link('ecid', 'e1')).when(link('ecid', 'e1')).thenNothing();
    flow.given(realized('mapped')).when(unlink('ecid', 'e9')).thenNothing();
  });
});

describe('rule 3: attribute', () => {
  it('exports a write of a mapped attribute when the profile is realized in a mapped audience', () => {
    flow.given(realized('mapped')).when(write({ person: { name: { firstName: 'John' } } })).thenExports({ df1: ['attribute'] });
  });

  it('exports a write of an unchanged value', () => {
    flow.given(realized('mapped'), write({ person: { name: { firstName: 'John' } } })).when(write({ person: { name: { firstName: 'John' } } })).thenExports({ df1: ['attribute'] });
  });

  it('exports the removal of a mapped attribute', () => {
    flow.given(realized('mapped'), write({ personalEmail: { address: 'j@acme.com' } })).when(write({ personalEmail: { address: null } })).thenExports({ df1: ['attribute'] });
  });

  it('exports a write around a mapped path (person.name) and inside one (loyalty.tier)', () => {
    flow.given(realized('mapped')).when(write({ person: { name: null } })).thenExports({ df1: ['attribute'] });
    flow.given(realized('mapped')).when(write({ loyalty: { tier: 'gold' } })).thenExports({ df1: ['attribute'] });
  });

  it('never exports a write of an unmapped attribute', () => {
    flow.given(realized('mapped')).when(write({ person: { name: { lastName: 'Doe' }, nameSuffix: 'Jr' }, mobilePhone: { number: '1' } })).thenNothing();
  });

  it('does not export a mapped attribute write of a profile not realized in a mapped audience', () => {
    flow.given().when(write({ person: { name: { firstName: 'John' } } })).thenNothing();
    flow.given(realized('unmapped')).when(write({ person: { name: { firstName: 'John' } } })).thenNothing();
    flow.given(realized('mapped'), exited('mapped')).when(write({ person: { name: { firstName: 'John' } } })).thenNothing();
  });
});

describe('several dataflows', () => {
  const flows = deciderSpec([
    dataflow('df1', { audiences: ['a'], attributes: ['person.name.firstName'] }),
    dataflow('df2', { audiences: ['b'], attributes: ['personalEmail.address'] }),
    dataflow('df3', { audiences: ['a', 'b'], attributes: ['person.name'] }),
    dataflow('off', { audiences: ['a', 'b'], attributes: ['person', 'personalEmail'], enabled: false }),
  ]);

  it('exports to each dataflow whose rules fire, in configuration order, never to a disabled one', () => {
    flows.given().when(realized('a')).thenExports({ df1: ['membership'], df3: ['membership'] });
    flows.given(realized('a'), realized('b')).when(write({ person: { name: { firstName: 'J' } } })).thenExports({ df1: ['attribute'], df3: ['attribute'] });
    flows.given(realized('b')).when(write({ person: { name: { firstName: 'J' } }, personalEmail: { address: 'x' } })).thenExports({ df2: ['attribute'], df3: ['attribute'] });
    flows.given(realized('a')).when(link('ecid', 'e1')).thenExports({ df1: ['identity'], df3: ['identity'] });
  });

  it('checks realization per dataflow', () => {
    flows.given(realized('b')).when(write({ person: { name: { firstName: 'J' } } })).thenExports({ df3: ['attribute'] });
  });
});

describe('consent (section 12)', () => {
  const refused = write({ consents: { share: { val: 'n' } } });

  it('skips a profile that refused sharing when the dataflow asks for consent', () => {
    deciderSpec([dataflow('df1', { audiences: ['mapped'], consent: true })]).given(refused).when(realized('mapped')).thenNothing();
    deciderSpec([dataflow('df1', { audiences: ['mapped'], consent: true })]).given(refused, realized('mapped')).when(exited('mapped')).thenNothing();
  });

  it('exports that profile when consent is off, which is the default', () => {
    deciderSpec([dataflow('df1', { audiences: ['mapped'] })]).given(refused).when(realized('mapped')).thenExports({ df1: ['membership'] });
    deciderSpec([dataflow('df1', { audiences: ['mapped'], consent: false })]).given(refused).when(realized('mapped')).thenExports({ df1: ['membership'] });
  });

  it('exports a profile that consented, or said nothing, when consent is on', () => {
    const withConsent = deciderSpec([dataflow('df1', { audiences: ['mapped'], consent: true })]);
    withConsent.given(write({ consents: { share: { val: 'y' } } })).when(realized('mapped')).thenExports({ df1: ['membership'] });
    withConsent.given().when(realized('mapped')).thenExports({ df1: ['membership'] });
  });
});

describe('incremental exports', () => {
  it('an audience of 100 members gaining 5 exports exactly those 5 profiles', () => {
    const index = indexDataflows([dataflow('df1', { audiences: ['aud'], attributes: ['person.name.firstName'] })]);
    const profiles = new Map<string, ReturnType<typeof emptyProfileState>>();
    const apply = (event: ReturnType<typeof ingestEvents.membershipChanged>) => {
      const profileId = event.data.profileId;
      const { state, change } = evolveProfile(profiles.get(profileId) ?? emptyProfileState(profileId), event);
      profiles.set(profileId, state);
      return decideExports({ profile: state, change, dataflows: index });
    };
    for (let n = 0; n < 100; n++) {
      apply(ingestEvents.attributesWritten(`member-${n}`, { person: { name: { firstName: `M${n}` } } }, at));
      apply(ingestEvents.membershipChanged(`member-${n}`, 'aud', 'realized', at));
    }
    const exported = ['new-1', 'new-2', 'new-3', 'new-4', 'new-5'].flatMap((profileId) =>
      apply(ingestEvents.membershipChanged(profileId, 'aud', 'realized', '2024-05-02T00:00:00Z')),
    );
    expect(exported.map((decision) => decision.profileId)).toEqual(['new-1', 'new-2', 'new-3', 'new-4', 'new-5']);
    expect(profiles.size).toBe(105);
  });
});
