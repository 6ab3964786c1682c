import { describe, expect, it } from 'vitest';
import { waitUntil, worldForEachTest, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const receiver = worldForEachTest((created) => (world = created));

// More waiting profiles than the dead destination's queue and the reading window together.
const settings = { maxQueuedPerDestination: 5, maxInFlight: 16 };
const deadProfiles = 200;
const patientRetry = { attempts: 20, baseDelayMs: 50, maxDelayMs: 200 };
const circuit = { openAfterSeconds: 1, probeEverySeconds: 1 };
const profileOf = (request: { body: unknown }) => (request.body as { person: { name: { firstName: string } } }).person.name.firstName;

/** A loopback port nothing listens on: every request is refused. */
async function refusedUrl(): Promise<string> {
  const closed = await receiver();
  await closed.close();
  return closed.url;
}

describe('delivery agent: one export consumer per dataflow', () => {
  it("delivers another dataflow's exports promptly while a dead destination has more waiting profiles than its queue and the reading window hold", async () => {
    const healthy = await receiver();
    const [deadDest, aliveDest, deadFlow, aliveFlow] = [world.id('dead'), world.id('alive'), world.id('dead-df'), world.id('alive-df')];
    await world.configureDestination({ destinationId: deadDest, endpoint: await refusedUrl(), auth: { type: 'none' }, retry: patientRetry, circuit });
    await world.configureDestination({ destinationId: aliveDest, endpoint: healthy.url, auth: { type: 'none' } });
    for (let profile = 1; profile <= deadProfiles; profile++) await world.requestExport({ dataflowId: deadFlow, destinationId: deadDest, profileId: `d-${profile}`, sequence: 1 });

    const agent = world.startAgent(settings);
    const requestedAt = new Map<string, number>();
    for (let index = 1; index <= 20; index++) {
      const profileId = `a-${index}`;
      requestedAt.set(profileId, Date.now());
      await world.requestExport({ dataflowId: aliveFlow, destinationId: aliveDest, profileId, sequence: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const arrived = () => healthy.requests.filter((request) => requestedAt.has(profileOf(request)));
    await waitUntil(() => arrived().length === requestedAt.size, '20 exports at the healthy endpoint').catch(() => {});

    const latencies = arrived().map((request) => request.receivedAt - requestedAt.get(profileOf(request))!);
    console.log(`healthy dataflow: ${latencies.length} of 20 exports arrived, slowest after ${Math.max(0, ...latencies)} ms; dead destination: ${agent.stats().queued} held, ${agent.stats().inFlight} in flight`);
    expect(latencies).toHaveLength(20);
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    // The dead destination's queue is still at its bound: its other exports wait in its own dataflow's window.
    expect(agent.stats().queued).toBe(settings.maxQueuedPerDestination);
  });
});
