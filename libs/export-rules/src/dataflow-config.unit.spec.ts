import { describe, expect, it } from 'vitest';
import { foldProfile } from '@spillway/profile-state';
import { ingestEvents, publicEvent, type DataflowConfig } from '@spillway/xdm';
import { decideBackfill } from './backfill.ts';
import { evolveDataflow } from './dataflow-config.ts';

const configured = (data: Partial<DataflowConfig> & Pick<DataflowConfig, 'audiences'>) =>
  publicEvent('DataflowConfigured', { dataflowId: 'df1', destinationId: 'dest1', attributes: [], enabled: true, ...data });

describe('evolveDataflow', () => {
  it('stamps new mappings with the time the event was recorded unless the event gives them', () => {
    const { dataflow, backfillAudienceIds } = evolveDataflow(
      undefined,
      configured({ audiences: [{ audienceId: 'a' }, { audienceId: 'b', mappingCreatedAt: 100, mappingUpdatedAt: 200 }] }),
      5000,
    );
    expect(dataflow?.audiences).toEqual([
      { audienceId: 'a', mappingCreatedAt: 5000, mappingUpdatedAt: 5000 },
      { audienceId: 'b', mappingCreatedAt: 100, mappingUpdatedAt: 200 },
    ]);
    expect(backfillAudienceIds).toEqual(['a', 'b']);
  });

  it('keeps the timestamps of audiences that stay mapped and backfills only the added ones', () => {
    const first = evolveDataflow(undefined, configured({ audiences: [{ audienceId: 'a' }] }), 5000).dataflow;
    const { dataflow, backfillAudienceIds, unmappedAudienceIds } = evolveDataflow(first, configured({ audiences: [{ audienceId: 'a' }, { audienceId: 'c' }] }), 9000);
    expect(dataflow?.audiences).toEqual([
      { audienceId: 'a', mappingCreatedAt: 5000, mappingUpdatedAt: 5000 },
      { audienceId: 'c', mappingCreatedAt: 9000, mappingUpdatedAt: 9000 },
    ]);
    expect(backfillAudienceIds).toEqual(['c']);
    expect(unmappedAudienceIds).toEqual([]);
  });

  it('backfills nothing while disabled, and everything when enabled again', () => {
    const disabled = evolveDataflow(undefined, configured({ audiences: [{ audienceId: 'a' }], enabled: false }), 1);
    expect(disabled.backfillAudienceIds).toEqual([]);
    expect(evolveDataflow(disabled.dataflow, configured({ audiences: [{ audienceId: 'a' }] }), 2).backfillAudienceIds).toEqual(['a']);
  });

  it('reports unmapped audiences, and all of them on deletion', () => {
    const first = evolveDataflow(undefined, configured({ audiences: [{ audienceId: 'a' }, { audienceId: 'b' }] }), 1).dataflow;
    expect(evolveDataflow(first, configured({ audiences: [{ audienceId: 'b' }] }), 2).unmappedAudienceIds).toEqual(['a']);
    expect(evolveDataflow(first, publicEvent('DataflowDeleted', { dataflowId: 'df1' }), 2)).toEqual({
      dataflow: undefined,
      backfillAudienceIds: [],
      unmappedAudienceIds: ['a', 'b'],
    });
  });
});

describe('decideBackfill', () => {
  const at = '2024-01-01T00:00:00Z';
  const flow: DataflowConfig = { dataflowId: 'df1', destinationId: 'dest1', audiences: [{ audienceId: 'a' }, { audienceId: 'b' }], attributes: [], enabled: true };

  it('exports a profile realized in a backfilled audience once, naming those audiences', () => {
    const profile = foldProfile('p1', [ingestEvents.membershipChanged('p1', 'a', 'realized', at), ingestEvents.membershipChanged('p1', 'b', 'realized', at)]);
    expect(decideBackfill(profile, flow, ['b'])).toEqual({ dataflowId: 'df1', destinationId: 'dest1', profileId: 'p1', triggers: ['backfill'], changedAudienceIds: ['b'] });
  });

  it('skips a profile not realized in them, a disabled dataflow, and a refused consent', () => {
    const exitedProfile = foldProfile('p1', [ingestEvents.membershipChanged('p1', 'b', 'realized', at), ingestEvents.membershipChanged('p1', 'b', 'exited', at)]);
    expect(decideBackfill(exitedProfile, flow, ['b'])).toBeUndefined();
    const realizedProfile = foldProfile('p1', [ingestEvents.membershipChanged('p1', 'b', 'realized', at)]);
    expect(decideBackfill(realizedProfile, { ...flow, enabled: false }, ['b'])).toBeUndefined();
    const refused = foldProfile('p1', [ingestEvents.attributesWritten('p1', { consents: { share: { val: 'n' } } }, at), ingestEvents.membershipChanged('p1', 'b', 'realized', at)]);
    expect(decideBackfill(refused, { ...flow, consent: true }, ['b'])).toBeUndefined();
  });
});
