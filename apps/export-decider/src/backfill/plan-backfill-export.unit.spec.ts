import { describe, expect, it } from 'vitest';
import { deterministicEventId } from '@spillway/event-streams';
import { ingestEvents, type IngestEvent } from '@spillway/xdm';
import { emptyDeciderConfig } from '../configuration/decider-config.ts';
import { evolveConfig, type ConfigEvent } from '../configuration/evolve-config.ts';
import { configStreamOf, configured, dataflow, destination, profileChanges } from '../testing/fixtures.ts';
import { planBackfillExport } from './plan-backfill-export.ts';

const P = 'john';
const ingestedAt = '2024-05-01T10:00:00.000Z';
const decidedAt = '2024-05-01T11:00:00.000Z';
const realized = (audienceId: string) => ingestEvents.membershipChanged(P, audienceId, 'realized', '2024-05-01T09:00:00Z');
const exited = (audienceId: string) => ingestEvents.membershipChanged(P, audienceId, 'exited', '2024-05-02T09:00:00Z');

function given(...events: ConfigEvent[]) {
  let config = emptyDeciderConfig();
  for (const event of events) config = evolveConfig(config, event, { streamId: configStreamOf(event), recordedAtMs: 1649856570000 }).config;
  const backfill = (audienceIds: string[], history: IngestEvent[], decidedLiveUnderThisConfiguration: boolean) => {
    const changes = profileChanges(P, history, ingestedAt);
    const sequence = changes.length - 1;
    return planBackfillExport(config, { dataflowId: 'df1', audienceIds, changed: changes[sequence]!, sequence, decidedAt, backfillId: 'bf1', decidedLiveUnderThisConfiguration });
  };
  return {
    /** The profile's latest version came before the configuration event that started the backfill. */
    whenBackfilling: (audienceIds: string[], ...history: IngestEvent[]) => backfill(audienceIds, history, false),
    /** It came after it: the live lane decided it under this configuration. */
    whenBackfillingAVersionAfterTheConfiguration: (audienceIds: string[], ...history: IngestEvent[]) => backfill(audienceIds, history, true),
  };
}

const d1 = configured.destination(destination('d1'));
const flow = (audiences: string[], enabled = true) => configured.dataflow(dataflow('df1', 'd1', { audiences: audiences.map((audienceId) => ({ audienceId })), enabled }));

describe('a backfill export', () => {
  it('exports a profile realized in a backfilled audience at its latest version, lane backfill, with an export id of its own', () => {
    const plan = given(d1, flow(['a'])).whenBackfilling(['a'], ingestEvents.attributesWritten(P, { x: 1 }, ingestedAt), realized('a'));
    expect(plan).toMatchObject({
      kind: 'export',
      planned: {
        stream: 'exports-df1',
        request: { exportId: deterministicEventId('export', 'df1', P, 1, 'backfill', 'bf1'), sequence: 1, lane: 'backfill', triggers: ['backfill'], profileId: P, decidedAt, ingestedAt },
      },
    });
  });

  it('gives a version exported live before the audience was mapped an id the store has not seen: the receiver gets the audience', () => {
    const history = [realized('a'), realized('b')];
    const live = given(d1, flow(['a'])).whenBackfillingAVersionAfterTheConfiguration(['a'], ...history);
    const added = given(d1, flow(['a', 'b'])).whenBackfilling(['b'], ...history);
    expect(live.kind === 'export' && added.kind === 'export').toBe(true);
    if (live.kind !== 'export' || added.kind !== 'export') return;
    expect(added.planned.request.exportId).not.toBe(live.planned.request.exportId);
    expect(added.planned.request.sequence).toBe(live.planned.request.sequence);
    expect(added.planned.request.document).toMatchObject({ segmentMembership: { ups: { a: { status: 'realized' }, b: { status: 'realized' } } } });
  });

  it('gives a version the live lane decided under this configuration the live export id of that version: it is not sent twice', () => {
    const plan = given(d1, flow(['a'])).whenBackfillingAVersionAfterTheConfiguration(['a'], realized('a'));
    expect(plan).toMatchObject({ kind: 'export', planned: { request: { exportId: deterministicEventId('export', 'df1', P, 0), sequence: 0 } } });
  });

  it('skips a profile that exited, or is realized only in an audience the backfill is not for', () => {
    expect(given(d1, flow(['a'])).whenBackfilling(['a'], realized('a'), exited('a'))).toEqual({ kind: 'skip', reason: 'not-realized' });
    expect(given(d1, flow(['a', 'b'])).whenBackfilling(['b'], realized('a'))).toEqual({ kind: 'skip', reason: 'not-realized' });
  });

  it('skips everything once the dataflow is disabled or deleted, or its destination is missing', () => {
    expect(given(d1, flow(['a'], false)).whenBackfilling(['a'], realized('a'))).toEqual({ kind: 'skip', reason: 'dataflow-gone' });
    expect(given(d1, flow(['a']), configured.dataflowDeleted('df1')).whenBackfilling(['a'], realized('a'))).toEqual({ kind: 'skip', reason: 'dataflow-gone' });
    expect(given(flow(['a'])).whenBackfilling(['a'], realized('a'))).toEqual({ kind: 'skip', reason: 'missing-destination' });
  });
});
