import { partitionOf } from '@spillway/event-streams';
import type { HttpReceiver } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
let endpoint: HttpReceiver;

const receiver = worldForEachTest((created) => (world = created));

describe('delivery agent: scale-out', () => {
  it('two instances (0/2 and 1/2) share the profiles: each export is sent once, by the instance of its profile', async () => {
    endpoint = await receiver();
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const profiles = Array.from({ length: 12 }, (_, index) => `p-${index}`);
    for (const profileId of profiles) await world.requestExport({ dataflowId, destinationId, profileId, sequence: 1 });

    const instances = [0, 1].map((index) =>
      world.startAgent({ partition: { index, count: 2 }, consumerName: `delivery-agent-test-${world.id('')}${index}-of-2` }),
    );
    const outcomes = await world.waitForOutcomes(dataflowId, profiles.length);
    await Promise.all(instances.map((instance) => instance.caughtUp));

    expect(outcomes.map((outcome) => outcome.data.profileId).sort()).toEqual([...profiles].sort());
    expect(endpoint.requests).toHaveLength(profiles.length);
    const expectedShares = [0, 1].map((index) => profiles.filter((profileId) => partitionOf(profileId, 2) === index).length);
    expect(expectedShares.every((share) => share > 0)).toBe(true);
    expect(instances.map((instance) => instance.stats().exports.delivered)).toEqual(expectedShares);
  });
});
