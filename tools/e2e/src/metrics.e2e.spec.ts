import { readSample } from '@spillway/metrics';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from './harness/expectations.ts';
import { startStack, type ServiceName, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

// The whole pipeline as real processes, each serving /metrics on a free port: after a small run
// the counters say what happened — 3 profiles qualify, 3 exports, the first request answered 503.
const metricsOn = { SPILLWAY_METRICS_PORT: '0' };
let stack: Stack;
let answered = 0;
beforeAll(async () => {
  stack = await startStack({
    env: { 'profile-projector': metricsOn, 'export-decider': metricsOn, 'delivery-agent': metricsOn },
    respond: () => (answered++ === 0 ? { status: 503 } : { status: 200 }),
  });
  await stack.apply(configuration(''));
});

const configuration = (moreDataflows: string) => `
audiences:
  - { id: vip, name: VIP, mergePolicy: mp-main }
destinations:
  - id: metrics-receiver
    name: Metrics receiver
    endpoint: ${stack.receiver.url}/m
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 50 }
dataflows:
  - { id: flow-m, destination: metrics-receiver, audiences: [vip], attributes: [person.name.firstName] }
${moreDataflows}`;
afterAll(async () => {
  // The metrics servers close with their services: every one exits cleanly on SIGTERM.
  const exits = await stack?.stop();
  expect(Object.values(exits ?? {})).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }, { code: 0, signal: null }]);
});

async function scrape(name: ServiceName): Promise<string> {
  const url = stack.service(name).started['metrics'];
  if (typeof url !== 'string') throw new Error(`${name} started without a metrics url`);
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metrics after a real run', () => {
  it('count the exports decided, the requests sent by status class, the retry and the end-to-end latency of each delivery', async () => {
    const profiles = ['metrics-p1', 'metrics-p2', 'metrics-p3'];
    for (const profileId of profiles) {
      await ingest(
        stack.client,
        ingestEvents.attributesWritten(profileId, { person: { name: { firstName: profileId } } }, '2024-05-01T10:00:00Z'),
        ingestEvents.membershipChanged(profileId, 'vip', 'realized', '2024-05-01T10:00:00Z'),
      );
    }
    const flow = { dataflow: 'flow-m' };
    let agent = '';
    await waitUntil(async () => {
      agent = await scrape('delivery-agent');
      return readSample(agent, 'spillway_exports_delivered_total', flow) === 3;
    }, () => `3 deliveries in the agent's metrics, got:\n${agent.split('\n').filter((line) => line.startsWith('spillway_delivery') || line.startsWith('spillway_export')).join('\n')}`);

    expect(stack.receiver.requests.filter((request) => request.path === '/m')).toHaveLength(4);
    expect(readSample(agent, 'spillway_delivery_requests_total', { ...flow, status_class: '2xx' })).toBe(3);
    expect(readSample(agent, 'spillway_delivery_requests_total', { ...flow, status_class: '5xx' })).toBe(1);
    expect(readSample(agent, 'spillway_delivery_retries_total', flow)).toBe(1);
    expect(readSample(agent, 'spillway_exports_dead_lettered_total', flow)).toBeUndefined();
    expect(readSample(agent, 'spillway_export_latency_seconds_count', flow)).toBe(3);
    expect(readSample(agent, 'spillway_export_latency_seconds_sum', flow)).toBeGreaterThan(0);
    expect(readSample(agent, 'spillway_delivery_duration_seconds_count', flow)).toBe(3);
    // The three exports: the destination, configured before the dataflow, is loaded as its reader starts (at the dataflow's configuration), not consumed.
    expect(readSample(agent, 'spillway_events_consumed_total', { service: 'delivery-agent' })).toBe(3);

    const decider = await scrape('export-decider');
    expect(readSample(decider, 'spillway_exports_decided_total', { ...flow, trigger: 'membership', lane: 'live' })).toBe(3);
    expect(readSample(decider, 'spillway_profile_changes_decided_total')).toBe(6);

    const projector = await scrape('profile-projector');
    expect(readSample(projector, 'spillway_events_consumed_total', { service: 'profile-projector' })).toBe(6);
    expect(readSample(projector, 'spillway_profile_changes_published_total')).toBe(6);
    expect(readSample(projector, 'spillway_ingest_events_total', { type: 'ProfileAttributesWritten' })).toBe(3);
    expect(readSample(projector, 'spillway_ingest_events_total', { type: 'SegmentMembershipChanged' })).toBe(3);

    // Caught up: a filtered consumer's position moves on its own events and on the store's
    // checkpoints (every 1,024 scanned events, and 200 ms after the last commit), so once caught up
    // and idle it is behind the head by at most the consumers' own checkpoint writes since.
    const caughtUpLag = 32 + 8;
    let lags: (number | undefined)[] = [];
    await waitUntil(async () => {
      lags = await Promise.all((['profile-projector', 'export-decider', 'delivery-agent'] as const).map(async (name) => readSample(await scrape(name), 'spillway_subscription_lag_positions')));
      return lags.every((lag) => lag !== undefined && lag <= caughtUpLag);
    }, () => `every consumer's lag at most ${caughtUpLag} positions, got ${JSON.stringify(lags)}`);

    // A dataflow created afterwards backfills the three profiles already in the audience.
    await stack.apply(configuration('  - { id: flow-mb, destination: metrics-receiver, audiences: [vip], attributes: [person.name.firstName] }'));
    let later = '';
    await waitUntil(async () => {
      later = await scrape('export-decider');
      // flow-m's own (empty: nobody was in vip yet) and flow-mb's.
      return readSample(later, 'spillway_backfills_completed_total') === 2;
    }, 'the two backfills completed in the decider metrics');
    expect(readSample(later, 'spillway_exports_decided_total', { dataflow: 'flow-mb', trigger: 'backfill', lane: 'backfill' })).toBe(3);
    expect(readSample(later, 'spillway_exports_decided_total', { ...flow, trigger: 'membership', lane: 'live' })).toBe(3);
  });
});
