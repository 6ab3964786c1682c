import { describe, expect, it } from 'vitest';
import type { Position } from '@spillway/event-streams';
import type { CountedEvent } from './counted-events.ts';
import { createCountsTally, type CountsTally } from './counts-tally.ts';

const dataflowId = 'df';
const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const dataflowConfig = (enabled: boolean) => ({
  dataflowId,
  destinationId: 'dest',
  enabled,
  audiences: [{ audienceId: 'vip' }],
  attributes: ['person.name.firstName'],
});

type Recorded = readonly [streamId: string, event: CountedEvent];
const configured = (enabled: boolean, stream = `dataflow-${dataflowId}`): Recorded => [stream, { type: 'DataflowConfigured', data: dataflowConfig(enabled) } as CountedEvent];
const deleted: Recorded = [`dataflow-${dataflowId}`, { type: 'DataflowDeleted', data: { dataflowId } } as CountedEvent];
const profileChanged: Recorded = ['profile-p1', { type: 'ProfileChanged', data: {} }];
const outcome = (type: 'ExportRequested' | 'ExportFailed' | 'ExportSuperseded' | 'ExportDeadLettered', stream: string): Recorded => [stream, { type, data: {} } as CountedEvent];
const delivered = (latencyMs: number, stream = `deliveries-${dataflowId}`, extra: Record<string, unknown> = {}): Recorded => [
  stream,
  { type: 'ExportDelivered', data: { ingestedAt: '2026-01-01T00:00:00.000Z', deliveredAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + latencyMs).toISOString(), ...extra } } as CountedEvent,
];

/** Feeds events at positions 1, 2, ... (or after `offset`). */
function given(tally: CountsTally, events: readonly Recorded[], offset = 0): CountsTally {
  events.forEach(([streamId, event], index) => tally.see(streamId, event, at(offset + index + 1)));
  return tally;
}

const history: readonly Recorded[] = [
  profileChanged,
  configured(true),
  profileChanged,
  outcome('ExportRequested', `exports-${dataflowId}`),
  delivered(18),
  configured(false),
  profileChanged,
  configured(true),
  profileChanged,
  outcome('ExportRequested', `exports-${dataflowId}`),
  outcome('ExportFailed', `deliveries-${dataflowId}`),
  outcome('ExportSuperseded', `deliveries-${dataflowId}`),
  outcome('ExportDeadLettered', `deadletters-${dataflowId}`),
  delivered(1_500),
  deleted,
  profileChanged,
];

describe('counts tally', () => {
  it('given no events, then every count is 0, there is no latency and nothing to snapshot', () => {
    const tally = createCountsTally(dataflowId);
    expect(tally.counts()).toEqual({ received: 0, exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0 });
    expect(tally.snapshot()).toBeUndefined();
    expect(tally.from).toBe('start');
  });

  it('given a history of configuration and outcomes, then profile changes count only while the dataflow is enabled', () => {
    const tally = given(createCountsTally(dataflowId), history);
    expect(tally.counts()).toEqual({ received: 2, exported: 2, delivered: 2, failed: 1, superseded: 1, deadLettered: 1, latencyMs: { p50: 18, p95: 1_500 } });
    expect(tally.scanned()).toEqual({ events: history.length, profileChanges: 5, checkpoints: 0 });
  });

  it('given deliveries of a backfill and of a replay, then they count as delivered but not in the latency', () => {
    const month = 31 * 24 * 3_600_000;
    const tally = given(createCountsTally(dataflowId), [
      configured(true),
      delivered(40, undefined, { lane: 'live' }),
      delivered(60),
      delivered(month, undefined, { lane: 'backfill' }),
      delivered(month, undefined, { lane: 'backfill' }),
      delivered(month, undefined, { lane: 'live', replayId: '9b2f0c1e-8d7a-4c3b-9a1f-2e4d6c8b0a13' }),
    ]);
    expect(tally.counts()).toMatchObject({ delivered: 5, latencyMs: { p50: 40, p95: 60 } });
  });

  it('given events of a dataflow whose id starts with this one, then none of them count', () => {
    const other = `${dataflowId}x`;
    const tally = given(createCountsTally(dataflowId), [
      configured(true, `dataflow-${other}`),
      profileChanged,
      outcome('ExportRequested', `exports-${other}`),
      delivered(5, `deliveries-${other}`),
      outcome('ExportDeadLettered', `deadletters-${other}`),
    ]);
    expect(tally.counts()).toEqual({ received: 0, exported: 0, delivered: 0, failed: 0, superseded: 0, deadLettered: 0 });
  });

  it.each(history.slice(1).map((_, index) => index + 1))(
    'given a snapshot taken after %i events, when restored and the rest is seen, then counts and snapshot are those of one pass',
    (split) => {
      const onePass = given(createCountsTally(dataflowId), history);
      const first = given(createCountsTally(dataflowId), history.slice(0, split));
      const stored = JSON.parse(JSON.stringify(first.snapshot()));
      const restored = createCountsTally(dataflowId, stored);
      expect(restored.from).toEqual(at(split));
      given(restored, history.slice(split), split);
      expect(restored.counts()).toEqual(onePass.counts());
      expect(restored.snapshot()).toEqual(onePass.snapshot());
      const profileChanges = history.slice(split).filter(([, event]) => event.type === 'ProfileChanged').length;
      expect(restored.scanned()).toEqual({ events: history.length - split, profileChanges, checkpoints: 0 });
    },
  );

  it('given a restored snapshot, when nothing new is seen, then the snapshot is the same and nothing was scanned', () => {
    const stored = given(createCountsTally(dataflowId), history).snapshot()!;
    const restored = createCountsTally(dataflowId, stored);
    expect(restored.snapshot()).toEqual(stored);
    expect(restored.scanned()).toEqual({ events: 0, profileChanges: 0, checkpoints: 0 });
  });

  it('given a checkpoint past the last event, when snapshotted, then the snapshot covers up to the checkpoint, and an older one does not move it back', () => {
    const tally = given(createCountsTally(dataflowId), history.slice(0, 3));
    tally.checkpoint(at(40));
    tally.checkpoint(at(7));
    tally.passed(undefined);
    expect(tally.snapshot()?.position).toBe('40/40');
    expect(tally.scanned()).toEqual({ events: 3, profileChanges: 2, checkpoints: 2 });
  });
});
