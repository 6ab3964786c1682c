import { publicEvent, type AudienceDefinition, type DataflowConfig, type DestinationConfig } from '@spillway/xdm';
import { describe, expect, it } from 'vitest';
import type { DesiredAudience, DesiredConfig } from '../config-file/desired-config.ts';
import { planApply, type CurrentConfig } from './plan-apply.ts';

const now = 1_700_000_000_000;
const earlier = 1_600_000_000_000;

const destination: DestinationConfig = {
  destinationId: 'shop',
  name: 'Shop',
  endpoint: 'https://hooks.example.com/profiles',
  headers: { 'x-tenant': 'acme' },
  auth: { type: 'bearer', token: 'env:SHOP_TOKEN' },
  includeSegmentNames: true,
  includeSegmentTimestamps: false,
};
const dataflow: DataflowConfig = { dataflowId: 'vip-to-shop', destinationId: 'shop', audiences: [{ audienceId: 'vip' }], attributes: ['person.name.firstName'], enabled: true };
const audience: DesiredAudience = { audienceId: 'vip', name: 'VIP', mergePolicyId: 'default', origin: 'segmentation' };
const stored: AudienceDefinition = { ...audience, createdAt: earlier, updatedAt: earlier };

const desired = (parts: Partial<DesiredConfig> = {}): DesiredConfig => ({ audiences: [audience], destinations: [destination], dataflows: [dataflow], ...parts });
const nothingStored: CurrentConfig = { audiences: new Map(), destinations: new Map(), dataflows: new Map() };
const allStored = (parts: Partial<CurrentConfig> = {}): CurrentConfig => ({
  audiences: new Map([['vip', { event: publicEvent('AudienceDefined', stored), revision: 0n }]]),
  destinations: new Map([['shop', { event: publicEvent('DestinationConfigured', destination), revision: 3n }]]),
  dataflows: new Map([['vip-to-shop', { event: publicEvent('DataflowConfigured', dataflow), revision: 1n }]]),
  ...parts,
});

describe('planning an apply', () => {
  it('given an empty store, when planned, then everything is created, audiences first and dataflows last', () => {
    const plan = planApply(desired(), nothingStored, now);
    expect(plan.changes.map((change) => [change.kind, change.change, change.stream, change.expectedRevision])).toEqual([
      ['audience', 'created', 'audience-vip', 'any'],
      ['destination', 'created', 'destination-shop', 'any'],
      ['dataflow', 'created', 'dataflow-vip-to-shop', 'any'],
    ]);
    expect(plan.changes[0]!.event.data).toEqual({ ...audience, createdAt: now, updatedAt: now });
    expect(plan.problems).toEqual([]);
    expect(plan.warnings).toEqual([]);
  });

  it('given the store already matches, when planned, then everything is unchanged (re-applying writes nothing)', () => {
    const plan = planApply(desired(), allStored(), now);
    expect(plan.changes.map((change) => change.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(plan.changes[0]!.event.data).toEqual(stored);
  });

  it('given the same data with keys in another order, then it is still unchanged', () => {
    const reordered = Object.fromEntries(Object.entries(destination).reverse()) as DestinationConfig;
    expect(Object.keys(reordered)[0]).toBe('includeSegmentTimestamps');
    const plan = planApply(desired({ destinations: [reordered] }), allStored(), now);
    expect(plan.changes[1]!.change).toBe('unchanged');
  });

  it('given a changed destination, then only it is updated, expecting the revision that was read', () => {
    const changed = { ...destination, headers: { 'x-tenant': 'globex' } };
    const plan = planApply(desired({ destinations: [changed] }), allStored(), now);
    expect(plan.changes.map((change) => change.change)).toEqual(['unchanged', 'updated', 'unchanged']);
    expect(plan.changes[1]).toMatchObject({ expectedRevision: 3n, event: { type: 'DestinationConfigured', data: changed } });
  });

  it('given a renamed audience, then createdAt is kept from the stored definition and updatedAt is now', () => {
    const plan = planApply(desired({ audiences: [{ ...audience, name: 'Very important' }] }), allStored(), now);
    expect(plan.changes[0]).toMatchObject({ change: 'updated', event: { data: { name: 'Very important', createdAt: earlier, updatedAt: now } } });
  });

  it('given a destination whose latest event deleted it, then applying it creates it again', () => {
    const deleted = { event: publicEvent('DestinationDeleted', { destinationId: 'shop' }), revision: 4n };
    const plan = planApply(desired(), allStored({ destinations: new Map([['shop', deleted]]) }), now);
    expect(plan.changes[1]).toMatchObject({ change: 'created', expectedRevision: 4n });
  });

  it('given a dataflow whose destination is neither in the file nor stored, then it is a problem on that field', () => {
    const plan = planApply(desired({ destinations: [] }), nothingStored, now);
    expect(plan.problems).toEqual([{ path: ['dataflows', 0, 'destination'], message: "destination 'shop' is neither in this file nor in the store" }]);
  });

  it('given a dataflow whose destination is only in the store, then it is fine', () => {
    const plan = planApply(desired({ destinations: [] }), allStored(), now);
    expect(plan.problems).toEqual([]);
  });

  it('given a dataflow whose destination was deleted from the store, then the problem says so', () => {
    const deleted = { event: publicEvent('DestinationDeleted', { destinationId: 'shop' }), revision: 4n };
    const plan = planApply(desired({ destinations: [] }), allStored({ destinations: new Map([['shop', deleted]]) }), now);
    expect(plan.problems[0]!.message).toBe("destination 'shop' was deleted from the store");
  });

  it('given a mapped audience defined nowhere, then it is a warning, not a problem', () => {
    const plan = planApply(desired({ audiences: [] }), nothingStored, now);
    expect(plan.problems).toEqual([]);
    expect(plan.warnings).toEqual([{ path: ['dataflows', 0, 'audiences', 0], message: expect.stringContaining("audience 'vip' is not defined yet") }]);
  });
});
