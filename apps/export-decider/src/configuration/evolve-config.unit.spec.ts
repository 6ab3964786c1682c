import { describe, expect, it } from 'vitest';
import { audience, configStreamOf, configured, dataflow, destination } from '../testing/fixtures.ts';
import { emptyDeciderConfig, type DeciderConfig } from './decider-config.ts';
import { evolveConfig, type ConfigEvent, type ConfigEvolution } from './evolve-config.ts';

const recordedAtMs = 1_700_000_000_000;

/** Given these configuration events (each in its own stream, recorded at `recordedAtMs + i`), when one more... */
function given(...events: ConfigEvent[]) {
  let config = emptyDeciderConfig();
  events.forEach((event, index) => (config = evolveConfig(config, event, { streamId: configStreamOf(event), recordedAtMs: recordedAtMs + index }).config));
  return {
    config,
    when: (event: ConfigEvent, streamId = configStreamOf(event), at = recordedAtMs + 1000): ConfigEvolution & { before: DeciderConfig } => ({
      ...evolveConfig(config, event, { streamId, recordedAtMs: at }),
      before: config,
    }),
  };
}

describe('destinations', () => {
  it('the latest DestinationConfigured wins', () => {
    const { config } = given(configured.destination(destination('d1', { name: 'first' })), configured.destination(destination('d1', { name: 'second' })));
    expect(config.destinations.get('d1')?.name).toBe('second');
    expect(config.version).toBe(2);
  });

  it('DestinationDeleted removes it; the dataflows pointing to it stay (and will be reported when they would export)', () => {
    const result = given(configured.destination(destination('d1')), configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }] }))).when(
      configured.destinationDeleted('d1'),
    );
    expect(result.applied).toBe(true);
    expect(result.config.destinations.has('d1')).toBe(false);
    expect(result.config.dataflows.has('df1')).toBe(true);
  });
});

describe('dataflows', () => {
  it('resolves missing mapping timestamps to when the event was recorded, and keeps them while the audience stays mapped', () => {
    const first = given().when(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }, { audienceId: 'b', mappingCreatedAt: 5, mappingUpdatedAt: 6 }] })), undefined, 111);
    expect(first.config.dataflows.get('df1')?.audiences).toEqual([
      { audienceId: 'a', mappingCreatedAt: 111, mappingUpdatedAt: 111 },
      { audienceId: 'b', mappingCreatedAt: 5, mappingUpdatedAt: 6 },
    ]);
    const second = evolveConfig(first.config, configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }, { audienceId: 'c' }] })), {
      streamId: 'dataflow-df1',
      recordedAtMs: 222,
    });
    expect(second.config.dataflows.get('df1')?.audiences).toEqual([
      { audienceId: 'a', mappingCreatedAt: 111, mappingUpdatedAt: 111 },
      { audienceId: 'c', mappingCreatedAt: 222, mappingUpdatedAt: 222 },
    ]);
  });

  it('indexes only enabled dataflows, and rebuilds the index only when a dataflow changes', () => {
    const history = given(configured.dataflow(dataflow('on', 'd1', { audiences: [{ audienceId: 'a' }] })), configured.dataflow(dataflow('off', 'd1', { audiences: [{ audienceId: 'a' }], enabled: false })));
    expect(history.config.index.dataflows.map((entry) => entry.dataflow.dataflowId)).toEqual(['on']);
    expect(history.when(configured.audience(audience('a'))).config.index).toBe(history.config.index);
    expect(history.when(configured.destination(destination('d1'))).config.index).toBe(history.config.index);
    expect(history.when(configured.dataflowDeleted('on')).config.index.dataflows).toEqual([]);
  });

  it('requests a backfill of every mapped audience when a dataflow appears enabled, of the new ones when audiences are added, none while disabled', () => {
    expect(given().when(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }, { audienceId: 'b' }] })))).toMatchObject({
      backfill: { dataflowId: 'df1', audienceIds: ['a', 'b'] },
    });
    const existing = given(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }] })));
    expect(existing.when(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }, { audienceId: 'c' }] })))).toMatchObject({
      backfill: { dataflowId: 'df1', audienceIds: ['c'] },
    });
    expect(existing.when(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }], attributes: ['x'] })))).toMatchObject({ backfill: undefined });
    expect(given().when(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }], enabled: false })))).toMatchObject({ backfill: undefined });
  });

  it('DataflowDeleted removes it from the decisions', () => {
    const result = given(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }] }))).when(configured.dataflowDeleted('df1'));
    expect(result.config.dataflows.size).toBe(0);
    expect(result.config.index.byAudience.size).toBe(0);
  });
});

describe('audiences', () => {
  it('a later AudienceDefined replaces the earlier one', () => {
    const { config } = given(configured.audience(audience('a', 'mp1', 'old name')), configured.audience(audience('a', 'mp2', 'new name')));
    expect(config.audiences.get('a')).toMatchObject({ name: 'new name', mergePolicyId: 'mp2' });
  });

  it('tracks the mapped audiences that have no definition, per dataflow', () => {
    const history = given(configured.dataflow(dataflow('df1', 'd1', { audiences: [{ audienceId: 'a' }, { audienceId: 'b' }] })), configured.audience(audience('a')));
    expect(history.config.undefinedAudiences).toEqual(new Map([['df1', ['b']]]));
    expect(history.when(configured.audience(audience('b'))).config.undefinedAudiences).toEqual(new Map());
  });
});

describe('events in the wrong stream', () => {
  it('are refused with the reason, and change nothing', () => {
    const result = given().when(configured.destination(destination('d1')), 'destination-d2');
    expect(result).toMatchObject({ applied: false, reason: "DestinationConfigured belongs in stream 'destination-d1', not 'destination-d2'" });
    expect(result.config).toBe(result.before);
    expect(given().when(configured.audience(audience('a')), 'dataflow-a').applied).toBe(false);
  });
});
