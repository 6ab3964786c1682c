import { randomUUID } from 'node:crypto';
import { defineEvents } from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas, type ExportRequested } from '@spillway/pipeline-events';
import type { ReceiverAnswer, ReceivedRequest } from '@spillway/testing';
import { describe, expect, it } from 'vitest';
import { worldForEachTest, waitUntil, type AgentWorld } from '../test-setup/agent-harness.ts';

let world: AgentWorld;
const startReceiver = worldForEachTest((created) => (world = created));
/** A receiver whose answer may depend on the request's index. */
const receiver = async (respond?: (request: ReceivedRequest, index: number) => ReceiverAnswer) => {
  let index = 0;
  return startReceiver(respond ? { respond: (request) => respond(request, index++) } : {});
};

const replayEvents = defineEvents({ ExportReplayRequested: internalEventSchemas.ExportReplayRequested });
const sequenceOf = (request: ReceivedRequest) => Number(request.headers['x-export-sequence']);

async function requestReplay(request: ExportRequested): Promise<string> {
  const replayId = randomUUID();
  await world.store.appendEvents(exportsStreamName(request.dataflowId), replayEvents, [
    { type: 'ExportReplayRequested', id: replayId, data: { ...request, replayId, replayRequestedAt: new Date().toISOString() } },
  ]);
  return replayId;
}

async function waitForAttempts(dataflowId: string, count: number) {
  let found = await world.failedAttempts(dataflowId);
  const deadline = Date.now() + 10_000;
  while (found.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} failed attempts, found ${found.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    found = await world.failedAttempts(dataflowId);
  }
  return found;
}

describe('delivery agent: retry policy per destination', () => {
  it('makes as many attempts as each destination says, recording each failed attempt before its retry', async () => {
    const patient = await receiver(() => ({ status: 503 }));
    const impatient = await receiver(() => ({ status: 503 }));
    const [patientId, impatientId, dataflowA, dataflowB] = [world.id('patient'), world.id('impatient'), world.id('df-a'), world.id('df-b')];
    await world.configureDestination({ destinationId: patientId, endpoint: patient.url, auth: { type: 'none' }, retry: { attempts: 5, baseDelayMs: 5 } });
    await world.configureDestination({ destinationId: impatientId, endpoint: impatient.url, auth: { type: 'none' }, retry: { attempts: 1 } });
    await world.requestExport({ dataflowId: dataflowA, destinationId: patientId, profileId: 'p-1', sequence: 1 });
    await world.requestExport({ dataflowId: dataflowB, destinationId: impatientId, profileId: 'p-1', sequence: 1 });

    world.startAgent();
    const [patientOutcome] = await world.waitForOutcomes(dataflowA, 1);
    const [impatientOutcome] = await world.waitForOutcomes(dataflowB, 1);

    expect(patientOutcome).toMatchObject({ type: 'ExportFailed', data: { attempts: 5, status: 503 } });
    expect(impatientOutcome).toMatchObject({ type: 'ExportFailed', data: { attempts: 1, status: 503 } });
    expect(patient.requests).toHaveLength(5);
    expect(impatient.requests).toHaveLength(1);
    expect((await world.failedAttempts(dataflowA)).map((attempt) => [attempt.attempt, attempt.status])).toEqual([[1, 503], [2, 503], [3, 503], [4, 503]]);
    expect(await world.failedAttempts(dataflowB)).toEqual([]);
  });

  it("honours Retry-After, shortened to the destination's maxRetryAfterMs", async () => {
    const asksOneSecond = await receiver((_, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const asksAnHour = await receiver((_, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '3600' } } : { status: 200 }));
    const [oneId, hourId, dfOne, dfHour] = [world.id('one'), world.id('hour'), world.id('df-one'), world.id('df-hour')];
    await world.configureDestination({ destinationId: oneId, endpoint: asksOneSecond.url, auth: { type: 'none' }, retry: { baseDelayMs: 1 } });
    await world.configureDestination({ destinationId: hourId, endpoint: asksAnHour.url, auth: { type: 'none' }, retry: { maxRetryAfterMs: 300 } });
    await world.requestExport({ dataflowId: dfOne, destinationId: oneId, profileId: 'p-1', sequence: 1 });
    await world.requestExport({ dataflowId: dfHour, destinationId: hourId, profileId: 'p-1', sequence: 1 });

    world.startAgent();
    expect(await world.waitForOutcomes(dfOne, 1)).toMatchObject([{ type: 'ExportDelivered', data: { attempts: 2 } }]);
    expect(await world.waitForOutcomes(dfHour, 1)).toMatchObject([{ type: 'ExportDelivered', data: { attempts: 2 } }]);

    const [first, second] = asksOneSecond.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(990);
    const [planned] = await world.failedAttempts(dfOne);
    expect(planned).toMatchObject({ attempt: 1, status: 429, reason: 'the endpoint answered HTTP 429' });
    const [capped] = await world.failedAttempts(dfHour);
    const cappedWaitMs = Date.parse(capped!.nextAttemptAt) - Date.parse(capped!.startedAt) - capped!.durationMs;
    expect(cappedWaitMs).toBeLessThanOrEqual(300 + 50);
  });

  it('dead-letters an exhausted export with the request (no secret in it) and every attempt', async () => {
    const endpoint = await receiver(() => ({ status: 500 }));
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({
      destinationId,
      endpoint: `${endpoint.url}/in?token=url-secret-1`,
      queryParams: { api_key: 'query-secret-2', region: 'eu' },
      headers: { 'X-Tenant': 'acme' },
      auth: { type: 'bearer', token: 'env:BEARER_SECRET' },
      retry: { baseDelayMs: 5 },
    });
    const exportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 4, document: { person: { name: 'Ada' } } });

    world.startAgent({ env: { BEARER_SECRET: 'bearer-secret-3' } });
    const [outcome] = await world.waitForOutcomes(dataflowId, 1);
    const deadLetters = await world.deadLetters(dataflowId);

    expect(outcome).toMatchObject({ type: 'ExportFailed', data: { attempts: 3, status: 500 } });
    expect(deadLetters).toHaveLength(1);
    const [deadLetter] = deadLetters;
    expect(deadLetter).toMatchObject({
      exportId,
      sequence: 4,
      profileId: 'p-1',
      destinationId,
      status: 500,
      reason: 'gave up after 3 attempts: on the last one the endpoint answered HTTP 500',
      export: { exportId, document: { person: { name: 'Ada' } } },
      request: {
        method: 'POST',
        url: `${endpoint.url}/in`,
        queryParamNames: ['token', 'api_key', 'region'],
        headers: { authorization: '[redacted]', 'x-tenant': 'acme', 'x-export-id': exportId, 'x-export-sequence': '4' },
      },
    });
    expect(deadLetter!.attempts.map(({ attempt, status, reason }) => ({ attempt, status, reason }))).toEqual(
      [1, 2, 3].map((attempt) => ({ attempt, status: 500, reason: 'the endpoint answered HTTP 500' })),
    );
    for (const attempt of deadLetter!.attempts) expect(Date.parse(attempt.startedAt)).not.toBeNaN();
    const everything = JSON.stringify(deadLetters) + JSON.stringify(await world.failedAttempts(dataflowId)) + world.logText();
    expect(endpoint.requests[0]!.headers.authorization).toBe('Bearer bearer-secret-3');
    for (const secret of ['url-secret-1', 'query-secret-2', 'bearer-secret-3']) expect(everything).not.toContain(secret);
  });
});

describe('delivery agent: durable retries', () => {
  it('resumes a retry after a stop between attempts: the next attempt number at the planned time, one final outcome', async () => {
    const endpoint = await receiver((_, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 }));
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const exportId = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    const first = world.startAgent({ stopGraceMs: 0 });
    const [planned] = await waitForAttempts(dataflowId, 1);
    // Abrupt: the wait is abandoned and nothing more is recorded, as in a crash.
    await first.stop();
    expect(endpoint.requests).toHaveLength(1);

    const second = world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 1);
    await second.stop();

    expect(outcomes).toMatchObject([{ type: 'ExportDelivered', data: { exportId, attempts: 2 } }]);
    expect(endpoint.requests).toHaveLength(2);
    expect(endpoint.requests.map((request) => request.headers['x-export-id'])).toEqual([exportId, exportId]);
    expect(endpoint.requests[1]!.receivedAt).toBeGreaterThanOrEqual(Date.parse(planned!.nextAttemptAt) - 5);
    expect(await world.failedAttempts(dataflowId)).toHaveLength(1);
    expect(await world.outcomes(dataflowId)).toHaveLength(1);
  });
});

describe('delivery agent: supersession', () => {
  it('drops an export waiting for its retry when a newer one of the same profile comes; the older is never sent after it', async () => {
    const endpoint = await receiver((request) => (sequenceOf(request) === 1 ? { status: 503, headers: { 'retry-after': '5' } } : { status: 200 }));
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const older = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });

    world.startAgent();
    await waitForAttempts(dataflowId, 1);
    const newer = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    const outcomes = await world.waitForOutcomes(dataflowId, 2, 4_000);

    expect(outcomes).toEqual([
      { type: 'ExportSuperseded', data: expect.objectContaining({ exportId: older, supersededBy: newer, supersededBySequence: 2, attempts: 1 }) },
      { type: 'ExportDelivered', data: expect.objectContaining({ exportId: newer, sequence: 2 }) },
    ]);
    expect(endpoint.requests.map(sequenceOf)).toEqual([1, 2]);
    expect(world.logs).toContainEqual(expect.objectContaining({ message: 'export superseded, not sent', exportId: older, supersededBy: newer }));
  });

  it('drops a queued export when a newer one of the same profile comes while an older one is on the wire', async () => {
    const endpoint = await receiver((request) => (sequenceOf(request) === 1 ? { status: 200, delayMs: 500 } : { status: 200 }));
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    for (const sequence of [1, 2, 3]) await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence });

    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 3);

    expect(outcomes.map((outcome) => [outcome.type, outcome.data.sequence])).toEqual([
      ['ExportSuperseded', 2],
      ['ExportDelivered', 1],
      ['ExportDelivered', 3],
    ]);
    expect(endpoint.requests.map(sequenceOf)).toEqual([1, 3]);
  });

  it('records a replay of an older sequence than one delivered as superseded, after a restart too; a replay of the newest is sent again', async () => {
    const endpoint = await receiver((request, index) => (index === 0 && sequenceOf(request) === 1 ? { status: 400 } : { status: 200 }));
    const [destinationId, dataflowId] = [world.id('dest'), world.id('df')];
    await world.configureDestination({ destinationId, endpoint: endpoint.url, auth: { type: 'none' } });
    const first = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 1 });
    const agent = world.startAgent();
    await world.waitForOutcomes(dataflowId, 1);
    const [deadLetter] = await world.deadLetters(dataflowId);
    expect(deadLetter).toMatchObject({ exportId: first, status: 400, attempts: [{ attempt: 1, status: 400 }] });

    // Replayed before anything newer: sent again under the same export id.
    const replayId = await requestReplay(deadLetter!.export);
    const afterReplay = await world.waitForOutcomes(dataflowId, 2);
    expect(afterReplay[1]).toEqual({ type: 'ExportDelivered', data: expect.objectContaining({ exportId: first, replayId, sequence: 1 }) });
    expect(endpoint.requests.map((request) => request.headers['x-export-id'])).toEqual([first, first]);

    const newer = await world.requestExport({ dataflowId, destinationId, profileId: 'p-1', sequence: 2 });
    await world.waitForOutcomes(dataflowId, 3);
    // A restart forgets what was delivered: the agent reads it back for the replay.
    await agent.stop();
    const lateReplay = await requestReplay(deadLetter!.export);
    world.startAgent();
    const outcomes = await world.waitForOutcomes(dataflowId, 4);

    expect(outcomes[3]).toEqual({ type: 'ExportSuperseded', data: expect.objectContaining({ exportId: first, replayId: lateReplay, supersededBy: newer, supersededBySequence: 2 }) });
    await waitUntil(() => world.logs.some((entry) => entry.message === 'export superseded, not sent'), 'the supersession log line');
    expect(endpoint.requests.map(sequenceOf)).toEqual([1, 1, 2]);
  });
});
