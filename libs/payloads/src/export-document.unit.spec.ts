import { describe, expect, it } from 'vitest';
import { foldProfile } from '@spillway/profile-state';
import { ingestEvents, type AudienceDefinition, type DataflowConfig, type IngestEvent } from '@spillway/xdm';
import { buildExportDocument, type ExportDocumentInput } from './export-document.ts';

const at = '2024-05-01T10:00:00Z';
const P = 'john';
const given = (...events: IngestEvent[]) => foldProfile(P, events);
const realized = (audienceId: string, time = at) => ingestEvents.membershipChanged(P, audienceId, 'realized', time);
const exited = (audienceId: string, time = at) => ingestEvents.membershipChanged(P, audienceId, 'exited', time);

const audience = (audienceId: string, mergePolicyId: string, name = `Audience ${audienceId}`): AudienceDefinition => ({
  audienceId,
  name,
  mergePolicyId,
  origin: 'segmentation',
  createdAt: 1648553325000,
  updatedAt: 1648553330000,
});

const johnAttributes = ingestEvents.attributesWritten(
  P,
  { person: { name: { firstName: 'John', lastName: 'Doe' }, birthDate: '1980-01-01' }, personalEmail: { address: 'john.doe@acme.com' }, loyalty: { points: 10 } },
  at,
);
const johnEcid = ingestEvents.identitiesLinked(P, { ecid: [{ id: '14575006536349286404619648085736425115' }] });

const noSwitches = { includeSegmentNames: false, includeSegmentTimestamps: false };
const bothSwitches = { includeSegmentNames: true, includeSegmentTimestamps: true };

function documentFor(overrides: Partial<ExportDocumentInput> & Pick<ExportDocumentInput, 'profile'>) {
  const dataflow: Pick<DataflowConfig, 'attributes' | 'audiences'> = {
    attributes: ['person.name.firstName', 'person.name.lastName', 'personalEmail.address', 'mobilePhone.number'],
    audiences: [{ audienceId: 'm1', mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856570000 }],
  };
  return buildExportDocument({ dataflow, destination: noSwitches, audiences: new Map([['m1', audience('m1', 'mp1')]]), ...overrides });
}

describe('the reference example', () => {
  it('matches the spec example exactly, key order included', () => {
    const mapped = audience('5b998cb9-9488-4ec3-8d95-fa8338ced490', 'mp-default', 'First name equals John');
    const unmapped = audience('354e086f-2e11-49a2-9e39-e5d9a76be683', 'mp-default', 'Unmapped, never named');
    const profile = given(
      johnAttributes,
      ingestEvents.membershipChanged(P, mapped.audienceId, 'realized', '2019-04-15T02:41:50+0000'),
      ingestEvents.membershipChanged(P, unmapped.audienceId, 'realized', '2020-04-15T02:41:50.123Z'),
      johnEcid,
    );
    const document = buildExportDocument({
      profile,
      dataflow: {
        attributes: ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'],
        audiences: [{ audienceId: mapped.audienceId, mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856570000 }],
      },
      destination: bothSwitches,
      audiences: new Map([mapped, unmapped].map((a) => [a.audienceId, a])),
      changedAudienceIds: [mapped.audienceId],
    });
    const specExample = {
      person: { name: { firstName: 'John', lastName: 'Doe' } },
      personalEmail: { address: 'john.doe@acme.com' },
      segmentMembership: {
        ups: {
          '5b998cb9-9488-4ec3-8d95-fa8338ced490': {
            lastQualificationTime: '2019-04-15T02:41:50Z',
            status: 'realized',
            createdAt: 1648553325000,
            updatedAt: 1648553330000,
            mappingCreatedAt: 1649856570000,
            mappingUpdatedAt: 1649856570000,
            name: 'First name equals John',
          },
          '354e086f-2e11-49a2-9e39-e5d9a76be683': { lastQualificationTime: '2020-04-15T02:41:50Z', status: 'realized' },
        },
      },
      identityMap: { ecid: [{ id: '14575006536349286404619648085736425115' }] },
    };
    expect(JSON.stringify(document)).toBe(JSON.stringify(specExample));
  });

  it('a profile realized in 3 mapped audiences and 2 unmapped ones with the same merge policy', () => {
    const audiences = [
      audience('5b998cb9-9488-4ec3-8d95-fa8338ced490', 'mp-default', 'First name equals John'),
      audience('59bd2fkd-3c48-4b18-bf56-4f5c5e6967ae', 'mp-default', 'Customers with DeLorean Cars'),
      audience('947c1c46-008d-40b0-92ec-3af86eaf41c1', 'mp-default', 'Loyalty members'),
      audience('354e086f-2e11-49a2-9e39-e5d9a76be683', 'mp-default', 'Watched Back to the Future'),
      audience('7841ba61-23c1-4bb3-a495-00d3g5fe1e93', 'mp-default', 'Science fiction fans'),
      audience('5114d758-ce71-43ba-b53e-e2a91d67b67f', 'mp-other', 'Other merge policy'),
      audience('0a0a0a0a-exited-unmapped', 'mp-default', 'Exited, unmapped'),
    ];
    const [m1, m2, m3, u1, u2, otherPolicy, exitedUnmapped] = audiences.map((a) => a.audienceId) as [string, string, string, string, string, string, string];
    const profile = given(
      johnAttributes,
      johnEcid,
      ingestEvents.identitiesLinked(P, { email_lc_sha256: [{ id: '655332b5fa2aea4498bf7a290cff017cb4' }] }),
      realized(m1, '2019-04-15T02:41:50Z'),
      realized(m2, '2022-01-02T23:37:33Z'),
      realized(m3, '2021-08-25T23:37:33Z'),
      realized(u1, '2020-04-15T02:41:50Z'),
      realized(u2, '2022-01-11T21:24:39Z'),
      realized(otherPolicy, '2022-01-11T23:37:33Z'),
      realized(exitedUnmapped),
      exited(exitedUnmapped),
    );
    const document = buildExportDocument({
      profile,
      dataflow: {
        attributes: ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'],
        audiences: [m1, m2, m3].map((audienceId) => ({ audienceId, mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856570000 })),
      },
      destination: { includeSegmentNames: true, includeSegmentTimestamps: false },
      audiences: new Map(audiences.map((a) => [a.audienceId, a])),
      changedAudienceIds: [m2],
    });
    expect(document).toEqual({
      person: { name: { firstName: 'John', lastName: 'Doe' } },
      personalEmail: { address: 'john.doe@acme.com' },
      segmentMembership: {
        ups: {
          [m1]: { lastQualificationTime: '2019-04-15T02:41:50Z', status: 'realized', name: 'First name equals John' },
          [m2]: { lastQualificationTime: '2022-01-02T23:37:33Z', status: 'realized', name: 'Customers with DeLorean Cars' },
          [m3]: { lastQualificationTime: '2021-08-25T23:37:33Z', status: 'realized', name: 'Loyalty members' },
          [u1]: { lastQualificationTime: '2020-04-15T02:41:50Z', status: 'realized' },
          [u2]: { lastQualificationTime: '2022-01-11T21:24:39Z', status: 'realized' },
        },
      },
      identityMap: {
        ecid: [{ id: '14575006536349286404619648085736425115' }],
        email_lc_sha256: [{ id: '655332b5fa2aea4498bf7a290cff017cb4' }],
      },
    });
  });
});

describe('attributes', () => {
  it('has every mapped attribute present, in XDM nesting, whatever triggered the export; absent ones are omitted', () => {
    const document = documentFor({ profile: given(johnAttributes, realized('m1'), johnEcid) });
    expect(document['person']).toEqual({ name: { firstName: 'John', lastName: 'Doe' } });
    expect(document['personalEmail']).toEqual({ address: 'john.doe@acme.com' });
    expect(document).not.toHaveProperty('mobilePhone');
    expect(document).not.toHaveProperty('loyalty');
  });

  it('has only segmentMembership and identityMap when no mapped attribute is present', () => {
    expect(documentFor({ profile: given(realized('m1')) })).toEqual({ segmentMembership: { ups: { m1: { lastQualificationTime: '2024-05-01T10:00:00Z', status: 'realized' } } }, identityMap: {} });
  });
});

describe('identityMap', () => {
  it('carries every identity of the profile', () => {
    const profile = given(realized('m1'), johnEcid, ingestEvents.identitiesLinked(P, { ecid: [{ id: 'second' }], email: [{ id: 'e' }] }));
    expect(documentFor({ profile }).identityMap).toEqual({ ecid: [{ id: '14575006536349286404619648085736425115' }, { id: 'second' }], email: [{ id: 'e' }] });
  });
});

describe('segmentMembership', () => {
  const dataflow = { attributes: [], audiences: [{ audienceId: 'm1' }, { audienceId: 'm2' }] };
  const audiences = new Map([
    ['m1', audience('m1', 'mpA')],
    ['m2', audience('m2', 'mpB')],
    ['uA', audience('uA', 'mpA')],
    ['uB', audience('uB', 'mpB')],
  ]);

  it('shows an exit with status exited', () => {
    const document = buildExportDocument({ profile: given(realized('m1'), exited('m1', '2024-06-01T00:00:00Z')), dataflow, destination: noSwitches, audiences, changedAudienceIds: ['m1'] });
    expect(document.segmentMembership.ups).toEqual({ m1: { lastQualificationTime: '2024-06-01T00:00:00Z', status: 'exited' } });
  });

  it('leaves out mapped audiences the profile has no status in', () => {
    const document = buildExportDocument({ profile: given(realized('m1')), dataflow, destination: bothSwitches, audiences });
    expect(Object.keys(document.segmentMembership.ups)).toEqual(['m1']);
  });

  it('adds unmapped audiences only when realized and sharing the merge policy of a realized mapped audience', () => {
    const profile = given(realized('m1'), realized('uA'), realized('uB'));
    expect(Object.keys(buildExportDocument({ profile, dataflow, destination: noSwitches, audiences }).segmentMembership.ups)).toEqual(['m1', 'uA']);
    const exitedUnmapped = given(realized('m1'), realized('uA'), exited('uA'));
    expect(Object.keys(buildExportDocument({ profile: exitedUnmapped, dataflow, destination: noSwitches, audiences }).segmentMembership.ups)).toEqual(['m1']);
  });

  it('counts the merge policy of a mapped audience the profile just exited', () => {
    const profile = given(realized('m2'), realized('uB'), exited('m2'));
    expect(Object.keys(buildExportDocument({ profile, dataflow, destination: noSwitches, audiences, changedAudienceIds: ['m2'] }).segmentMembership.ups)).toEqual(['m2', 'uB']);
    expect(Object.keys(buildExportDocument({ profile, dataflow, destination: noSwitches, audiences }).segmentMembership.ups)).toEqual(['m2']);
  });

  it('never adds an unmapped audience whose definition is unknown', () => {
    const profile = given(realized('m1'), realized('mystery'));
    expect(Object.keys(buildExportDocument({ profile, dataflow, destination: noSwitches, audiences }).segmentMembership.ups)).toEqual(['m1']);
  });
});

describe('names and timestamps', () => {
  const dataflow = { attributes: [], audiences: [{ audienceId: 'm1', mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856571000 }] };
  const audiences = new Map([
    ['m1', audience('m1', 'mp', 'Mapped audience')],
    ['u1', audience('u1', 'mp', 'Unmapped audience')],
  ]);
  const profile = given(realized('m1'), realized('u1'));
  const ups = (destination: typeof noSwitches) => buildExportDocument({ profile, dataflow, destination, audiences }).segmentMembership.ups;
  const base = { lastQualificationTime: '2024-05-01T10:00:00Z', status: 'realized' };
  const timestamps = { createdAt: 1648553325000, updatedAt: 1648553330000, mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856571000 };

  it('has neither when both switches are off', () => {
    expect(ups(noSwitches)).toEqual({ m1: base, u1: base });
  });

  it('has names only with include segment names, and only on mapped audiences', () => {
    expect(ups({ includeSegmentNames: true, includeSegmentTimestamps: false })).toEqual({ m1: { ...base, name: 'Mapped audience' }, u1: base });
  });

  it('has timestamps only with include segment timestamps, and only on mapped audiences', () => {
    expect(ups({ includeSegmentNames: false, includeSegmentTimestamps: true })).toEqual({ m1: { ...base, ...timestamps }, u1: base });
  });

  it('has both with both switches, never on unmapped audiences', () => {
    expect(ups(bothSwitches)).toEqual({ m1: { ...base, ...timestamps, name: 'Mapped audience' }, u1: base });
  });

  it('omits what it does not know: an undefined mapped audience has no name nor audience timestamps', () => {
    const document = buildExportDocument({ profile: given(realized('m1')), dataflow, destination: bothSwitches, audiences: new Map() });
    expect(document.segmentMembership.ups).toEqual({ m1: { ...base, mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856571000 } });
  });
});
