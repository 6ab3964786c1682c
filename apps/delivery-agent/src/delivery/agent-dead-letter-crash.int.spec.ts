import type { FailedOutcome } from '@spillway/delivery';
import { defineEvents } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, exportsStreamName, internalEventSchemas, type ExportRequested } from '@spillway/pipeline-events';
import type { HttpReceiver } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, waitUntil, type AgentWorld } from '../test-setup/agent-harness.ts';
import { agentOutputEvents, outcomeEvent, runEventId } from './outcome-events.ts';
import { attemptFailedEvent, attemptRecord, deadLetteredEvent } from './retry-events.ts';

let world: AgentWorld;
let endpoint: HttpReceiver | undefined;

const receiver = worldForEachTest((created) => (world = created));

const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested });

async function requestedExports(dataflowId: string): Promise<ExportRequested[]> {
  return (await world.store.readStreamEvents(exportsStreamName(dataflowId), exportEvents)).map(({ event }) => event.data);
}

/**
 * What an agent killed between the two appends of giving up leaves behind: attempt 1 recorded
 * before its retry wait, attempt 2 failed too, the dead letter written, `ExportFailed` not.
 * Built with the agent's own event builders, so the ids are the ones it writes.
 */
async function leaveDeadLetterWithoutOutcome(request: ExportRequested, timeoutMs: number): Promise<void> {
  const run = { request };
  const failedWith500 = (durationMs: number): FailedOutcome => ({ kind: 'failed', failure: 'status', status: 500, retryable: true, durationMs });
  const startedAt = new Date(Date.now() - 1_000);
  const first = attemptRecord(1, startedAt, failedWith500(5), timeoutMs);
  const second = attemptRecord(2, new Date(startedAt.getTime() + 200), failedWith500(5), timeoutMs);
  const givenUpAt = new Date(startedAt.getTime() + 300);
  await world.store.appendEvents(deliveriesStreamName(request.dataflowId), agentOutputEvents, [attemptFailedEvent(run, first, new Date(startedAt.getTime() + 200))]);
  const final = outcomeEvent(request, { kind: 'attempted', delivery: { outcome: failedWith500(5), attempts: 2, stoppedBecause: 'attempts-exhausted' }, timeoutMs }, givenUpAt);
  if (final.type !== 'ExportFailed') throw new Error('expected a failure');
  await world.store.appendEvents(deadlettersStreamName(request.dataflowId), agentOutputEvents, [deadLetteredEvent(run, undefined, [first, second], final, givenUpAt)]);
}

describe('delivery agent: crash between the dead letter and ExportFailed', () => {
  it('does not send a dead-lettered export again, and records its missing ExportFailed once', async () => {
    endpoint = await receiver({ respond: () => ({ status: 200 }) });
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' }, retry: { attempts: 2, baseDelayMs: 1 } });
    const deadExportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-dead', sequence: 1 });
    const liveExportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-live', sequence: 1 });
    const deadRequest = (await requestedExports(dataflowId)).find((request) => request.exportId === deadExportId);
    if (deadRequest === undefined) throw new Error('the export request was not written');
    await leaveDeadLetterWithoutOutcome(deadRequest, 2_000);

    const agent = world.startAgent();
    await agent.caughtUp;
    await world.waitForOutcomes(dataflowId, 2);
    await waitUntil(() => agent.stats().inFlight === 0, 'the agent to settle');

    // Only the other export reached the endpoint.
    expect(endpoint.requests.map((request) => request.headers['x-export-id'])).toEqual([liveExportId]);
    const recorded = await world.store.readStreamEvents(deliveriesStreamName(dataflowId), agentOutputEvents);
    const ofDead = recorded.filter(({ event }) => event.data.exportId === deadExportId);
    expect(ofDead.map(({ event }) => event.type)).toEqual(['ExportAttemptFailed', 'ExportFailed']);
    const failed = ofDead[1]!;
    expect(failed.eventId).toBe(runEventId({ exportId: deadExportId, ingestedAt: deadRequest.ingestedAt }, 'outcome', 'ExportFailed'));
    expect(failed.event).toMatchObject({ type: 'ExportFailed', data: { attempts: 2, status: 500, reason: 'gave up after 2 attempts: on the last one the endpoint answered HTTP 500' } });
    expect(await world.deadLetters(dataflowId)).toHaveLength(1);
    expect(agent.stats().exports).toMatchObject({ delivered: 1, failed: 1 });

    // A further restart finds the outcome and writes nothing more.
    await agent.stop();
    const again = world.startAgent();
    await again.caughtUp;
    const outcomes = await world.outcomes(dataflowId);
    expect(outcomes.map((outcome) => `${outcome.type} ${outcome.data.profileId}`).sort()).toEqual(['ExportDelivered p-live', 'ExportFailed p-dead']);
    expect(endpoint.requests).toHaveLength(1);
  });
});
