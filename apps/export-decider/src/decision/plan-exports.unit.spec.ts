import { describe, expect, it } from 'vitest';
import { deterministicEventId } from '@spillway/event-streams';
import { ingestEvents, type IngestEvent } from '@spillway/xdm';
import { emptyDeciderConfig } from '../configuration/decider-config.ts';
import { evolveConfig, type ConfigEvent } from '../configuration/evolve-config.ts';
import { audience, configStreamOf, configured, dataflow, destination, profileChanges } from '../testing/fixtures.ts';
import { planExports, type ExportPlan } from './plan-exports.ts';

const P = 'john';
const decidedAt = '2024-05-01T10:00:01.000Z';
const ingestedAt = '2024-05-01T10:00:00.000Z';
const mappedAt = 1649856570000;
const realized = (audienceId: string, time = '2024-05-01T09:00:00Z') => ingestEvents.membershipChanged(P, audienceId, 'realized', time);
const exited = (audienceId: string) => ingestEvents.membershipChanged(P, audienceId, 'exited', '2024-05-02T09:00:00Z');
const write = (attributes: Parameters<typeof ingestEvents.attributesWritten>[1]) => ingestEvents.attributesWritten(P, attributes, ingestedAt);

/** Given configuration events, when the profile's history ends with this change, then these exports. */
function given(...events: ConfigEvent[]) {
  let config = emptyDeciderConfig();
  for (const event of events) config = evolveConfig(config, event, { streamId: configStreamOf(event), recordedAtMs: mappedAt }).config;
  return {
    when(...history: IngestEvent[]) {
      const changes = profileChanges(P, history, ingestedAt);
      const sequence = changes.length - 1;
      const plan: ExportPlan = planExports(config, { changed: changes[sequence]!, sequence, decidedAt });
      return {
        plan,
        thenExportsTo: (dataflowIds: string[]) => expect(plan.exports.map((planned) => planned.request.dataflowId)).toEqual(dataflowIds),
        thenNothing: () => expect(plan.exports).toEqual([]),
      };
    },
  };
}

const d1 = configured.destination(destination('d1'));
const flow1 = (mapping: Parameters<typeof dataflow>[2] = {}) =>
  configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }], attributes: ['person.name.firstName'], ...mapping }));

describe('an exit from the only mapped audience of a merge policy', () => {
  it('keeps the unmapped audience of that merge policy the profile is realized in: the exited one just changed', () => {
    const mapped = audience('m', 'mp-x', 'Mapped');
    const unmapped = audience('u', 'mp-x', 'Unmapped');
    const { plan } = given(d1, configured.audience(mapped), configured.audience(unmapped), configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'm' }] }))).when(
      realized('u'),
      realized('m'),
      exited('m'),
    );
    expect(plan.exports).toHaveLength(1);
    expect(plan.exports[0]!.request.document).toMatchObject({
      segmentMembership: {
        ups: {
          m: { lastQualificationTime: '2024-05-02T09:00:00Z', status: 'exited' },
          u: { lastQualificationTime: '2024-05-01T09:00:00Z', status: 'realized' },
        },
      },
    });
  });
});

describe('the ExportRequested event', () => {
  it('carries the export id, the sequence (the ProfileChanged revision), the lane, triggers, times and the section 7 document', () => {
    const mapped = audience('5b998cb9-9488-4ec3-8d95-fa8338ced490', 'mp-default', 'First name equals John');
    const unmapped = audience('354e086f-2e11-49a2-9e39-e5d9a76be683', 'mp-default', 'Unmapped, never named');
    const { plan } = given(
      configured.destination(destination('d1', { includeSegmentNames: true, includeSegmentTimestamps: true })),
      configured.audience(mapped),
      configured.audience(unmapped),
      configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: mapped.audienceId }], attributes: ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'] })),
    ).when(
      write({ person: { name: { firstName: 'John', lastName: 'Doe' }, birthDate: '1980-01-01' }, personalEmail: { address: 'john.doe@acme.com' } }),
      ingestEvents.membershipChanged(P, unmapped.audienceId, 'realized', '2020-04-15T02:41:50.123Z'),
      ingestEvents.identitiesLinked(P, { ecid: [{ id: '14575006536349286404619648085736425115' }] }),
      ingestEvents.membershipChanged(P, mapped.audienceId, 'realized', '2019-04-15T02:41:50+0000'),
    );
    expect(plan.problems).toEqual([]);
    expect(plan.exports).toHaveLength(1);
    const [planned] = plan.exports;
    expect(planned!.stream).toBe('exports-df1');
    expect(planned!.request).toEqual({
      exportId: deterministicEventId('export', 'df1', P, 3),
      sequence: 3,
      dataflowId: 'df1',
      destinationId: 'd1',
      profileId: P,
      triggers: ['membership'],
      lane: 'live',
      document: expect.any(Object),
      ingestedAt,
      decidedAt,
    });
    expect(JSON.stringify(planned!.request.document)).toBe(
      JSON.stringify({
        person: { name: { firstName: 'John', lastName: 'Doe' } },
        personalEmail: { address: 'john.doe@acme.com' },
        segmentMembership: {
          ups: {
            '5b998cb9-9488-4ec3-8d95-fa8338ced490': {
              lastQualificationTime: '2019-04-15T02:41:50Z',
              status: 'realized',
              createdAt: 1648553325000,
              updatedAt: 1648553330000,
              mappingCreatedAt: mappedAt,
              mappingUpdatedAt: mappedAt,
              name: 'First name equals John',
            },
            '354e086f-2e11-49a2-9e39-e5d9a76be683': { lastQualificationTime: '2020-04-15T02:41:50Z', status: 'realized' },
          },
        },
        identityMap: { ecid: [{ id: '14575006536349286404619648085736425115' }] },
      }),
    );
  });

  it('has sequence = the revision of the change, and an export id that is the same for the same (dataflow, profile, sequence)', () => {
    const config = given(d1, flow1());
    const first = config.when(write({ x: 1 }), realized('a')).plan.exports[0]!.request;
    const again = config.when(write({ x: 1 }), realized('a')).plan.exports[0]!.request;
    const later = config.when(write({ x: 1 }), realized('a'), write({ person: { name: { firstName: 'J' } } })).plan.exports[0]!.request;
    expect([first.sequence, later.sequence]).toEqual([1, 2]);
    expect(again.exportId).toBe(first.exportId);
    expect(later.exportId).not.toBe(first.exportId);
    expect(later.triggers).toEqual(['attribute']);
  });
});

describe('which dataflows export', () => {
  it('a change mapped in two dataflows exports to both, in the order they were configured, each with its own export id', () => {
    const { plan } = given(
      d1,
      configured.destination(destination('d2')),
      flow1(),
      configured.dataflow(dataflow('df2', 'd2', { audiences: [{ audienceId: 'a' }] })),
    ).when(realized('a'));
    expect(plan.exports.map((planned) => [planned.stream, planned.request.destinationId, planned.request.exportId])).toEqual([
      ['exports-df1', 'd1', deterministicEventId('export', 'df1', P, 0)],
      ['exports-df2', 'd2', deterministicEventId('export', 'df2', P, 0)],
    ]);
  });

  it('a disabled dataflow never exports', () => {
    given(d1, flow1({ enabled: false })).when(realized('a')).thenNothing();
  });

  it('a deleted dataflow no longer exports', () => {
    given(d1, flow1(), configured.dataflowDeleted('df1')).when(realized('a')).thenNothing();
  });

  it('an exit exports with status exited', () => {
    const { plan } = given(d1, flow1()).when(realized('a'), exited('a'));
    expect(plan.exports[0]!.request.document['segmentMembership']).toEqual({ ups: { a: { status: 'exited', lastQualificationTime: '2024-05-02T09:00:00Z' } } });
  });

  it('an unmapped attribute or audience does not export', () => {
    given(d1, flow1()).when(realized('a'), write({ loyalty: { points: 3 } })).thenNothing();
    given(d1, flow1()).when(realized('b')).thenNothing();
  });
});

describe('consent (section 12)', () => {
  const refused = write({ consents: { share: { val: 'n' } } });
  it('with consent on, a profile that refused sharing (n) is not exported', () => {
    given(d1, flow1({ consent: true })).when(refused, realized('a')).thenNothing();
  });
  it('with consent off (the default), it is', () => {
    given(d1, flow1()).when(refused, realized('a')).thenExportsTo(['df1']);
  });
  it('with consent on, any other answer exports', () => {
    given(d1, flow1({ consent: true })).when(write({ consents: { share: { val: 'y' } } }), realized('a')).thenExportsTo(['df1']);
  });
});

describe('configuration problems', () => {
  it('a dataflow pointing to a missing destination exports nothing and reports it', () => {
    const result = given(flow1()).when(realized('a'));
    result.thenNothing();
    expect(result.plan.problems).toEqual([{ kind: 'missing-destination', dataflowId: 'df1', destinationId: 'd1' }]);
  });

  it('a deleted destination likewise; the other dataflows of the change still export', () => {
    const result = given(
      d1,
      configured.destination(destination('d2')),
      configured.audience(audience('a')),
      flow1(),
      configured.dataflow(dataflow('df2', 'd2', { audiences: [{ audienceId: 'a' }] })),
      configured.destinationDeleted('d1'),
    ).when(realized('a'));
    result.thenExportsTo(['df2']);
    expect(result.plan.problems).toEqual([{ kind: 'missing-destination', dataflowId: 'df1', destinationId: 'd1' }]);
  });

  it('a mapped audience with no AudienceDefined still exports (status, no name) and is reported', () => {
    const result = given(configured.destination(destination('d1', { includeSegmentNames: true })), flow1()).when(realized('a'));
    expect(result.plan.exports[0]!.request.document['segmentMembership']).toEqual({ ups: { a: { status: 'realized', lastQualificationTime: '2024-05-01T09:00:00Z' } } });
    expect(result.plan.problems).toEqual([{ kind: 'undefined-audiences', dataflowId: 'df1', audienceIds: ['a'] }]);
  });
});
