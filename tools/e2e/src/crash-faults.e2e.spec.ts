import { setTimeout as sleep } from 'node:timers/promises';
import { defineEvents, deterministicEventId } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { seededRandom, startFaultyReceiver, type FaultyReceiver, type FaultyRequestRecord } from '@spillway/testing';
import { ingestEvents, ingestStreamName, publicEventDataSchemas, type IngestEvent } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportIdOf } from './harness/expectations.ts';
import { waitForPipeline } from './harness/settle.ts';
import type { ServiceName } from './harness/stack.ts';
import { startSupervisedStack, type SupervisedStack } from './harness/supervised-stack.ts';

// A fixed seed (override with SPILLWAY_CRASH_SEED to explore): fault draws and crash moments follow from it.
const seed = Number(process.env['SPILLWAY_CRASH_SEED'] ?? 20_261_122);
const dataflowId = 'flow-crash';
const profileIds = Array.from({ length: 200 }, (_, index) => `crash-${String(index).padStart(3, '0')}`);
const rounds = 10;
const roundMs = 1_600;

const ingestCatalog = defineEvents({
  ProfileAttributesWritten: publicEventDataSchemas.ProfileAttributesWritten,
  IdentitiesLinked: publicEventDataSchemas.IdentitiesLinked,
  IdentitiesUnlinked: publicEventDataSchemas.IdentitiesUnlinked,
  SegmentMembershipChanged: publicEventDataSchemas.SegmentMembershipChanged,
});
const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested }, { unknownTypes: 'ignore' });
const supersededEvents = defineEvents({ ExportSuperseded: internalEventSchemas.ExportSuperseded }, { unknownTypes: 'ignore' });
const deadLetterEvents = defineEvents({ ExportDeadLettered: internalEventSchemas.ExportDeadLettered }, { unknownTypes: 'ignore' });

let stack: SupervisedStack;
let receiver: FaultyReceiver;
beforeAll(async () => {
  receiver = await startFaultyReceiver({ seed, rates: { serverError: 0.08, tooManyRequests: 0.04, slow: 0.02, drop: 0.04 }, slowMs: 3_000, retryAfterSeconds: 1 });
  stack = await startSupervisedStack();
  await stack.apply(`
audiences:
  - { id: crash-members, name: Crash members, mergePolicy: mp-main }
destinations:
  - id: receiver-crash
    name: Faulty receiver
    endpoint: "${receiver.url}/crash"
    retry: { attempts: 8, baseDelayMs: 50, maxDelayMs: 400, maxRetryAfterMs: 1500 }
dataflows:
  - { id: ${dataflowId}, destination: receiver-crash, audiences: [crash-members], attributes: [person.name.firstName] }
`);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/** Appends one ingest event under a fixed id until the store acknowledges it (a store crash meanwhile only delays it: the id makes a repeat a no-op). */
async function appendAcknowledged(profileId: string, key: string, event: IngestEvent): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await stack.client.appendEvents(ingestStreamName(profileId), ingestCatalog, [{ ...event, id: deterministicEventId('crash-e2e', seed, profileId, key) }]);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** Round r sets every profile's firstName to `v<r>`; returns the last round acknowledged per profile. */
async function writeRounds(): Promise<Map<string, number>> {
  const acknowledged = new Map<string, number>();
  for (let round = 1; round <= rounds; round++) {
    const started = Date.now();
    await Promise.all(
      profileIds.map(async (id) => {
        await appendAcknowledged(id, `round-${round}`, ingestEvents.attributesWritten(id, { person: { name: { firstName: `v${round}` } } }, '2024-05-01T10:00:00Z'));
        acknowledged.set(id, round);
      }),
    );
    await sleep(Math.max(0, roundMs - (Date.now() - started)));
  }
  return acknowledged;
}

type CrashTarget = ServiceName | 'event-store';

/** Each service and the store twice, at seeded moments within the writing window, one at a time. */
async function crashAtRandom(random: () => number, windowMs: number, log: string[]): Promise<void> {
  const targets: CrashTarget[] = ['profile-projector', 'export-decider', 'delivery-agent', 'event-store'];
  const plan = [...targets, ...targets].map((target) => ({ target, atMs: 1_000 + random() * (windowMs - 3_000), pauseMs: 200 + Math.floor(random() * 600) }));
  plan.sort((a, b) => a.atMs - b.atMs);
  const start = Date.now();
  for (const { target, atMs, pauseMs } of plan) {
    await sleep(Math.max(0, atMs - (Date.now() - start)));
    log.push(`${target} kill -9 at ${Date.now() - start} ms, ${pauseMs} ms pause`);
    if (target === 'event-store') await stack.crashStore(pauseMs);
    else await stack.crashService(target, pauseMs);
  }
}

const documentFirstName = (document: unknown) => (document as { person?: { name?: { firstName?: string } } }).person?.name?.firstName;
const firstNameOf = (record: FaultyRequestRecord) => documentFirstName(JSON.parse(record.rawBody));

describe('crash safety through a faulty endpoint', () => {
  it('given kill -9 of each service and of the store while 2,000 changes flow to an endpoint answering 500, 429, too slowly or not at all, then the endpoint accepted every last state, never an older after a newer, duplicates identical, and every export not accepted is dead-lettered or superseded', async () => {
    console.info(`crash-faults: seed ${seed}`);
    // Revision 0: identity, 1: member (first export), then one attribute write per round (revision r + 1).
    await Promise.all(
      profileIds.map(async (id) => {
        await appendAcknowledged(id, 'identity', ingestEvents.identitiesLinked(id, { crmid: [{ id }] }));
        await appendAcknowledged(id, 'member', ingestEvents.membershipChanged(id, 'crash-members', 'realized', '2024-05-01T09:00:00Z'));
      }),
    );
    const crashLog: string[] = [];
    const [acknowledged] = await Promise.all([writeRounds(), crashAtRandom(seededRandom(seed ^ 0x5eed), rounds * roundMs, crashLog)]);
    await waitForPipeline(stack.client, { profileIds, dataflowIds: [dataflowId] }, 90_000);

    const requested = (await stack.client.readStreamEvents(exportsStreamName(dataflowId), exportEvents)).map((stored) => stored.event.data);
    const superseded = new Set((await stack.client.readStreamEvents(deliveriesStreamName(dataflowId), supersededEvents)).map((stored) => stored.event.data.exportId));
    const deadLettered = new Set((await stack.client.readStreamEvents(deadlettersStreamName(dataflowId), deadLetterEvents)).map((stored) => stored.event.data.exportId));
    const accepted = receiver.accepted().filter((record) => record.path === '/crash');
    const problems: string[] = [];

    for (const id of profileIds) {
      // Every acknowledged write is in its ingest stream once, and became its own profile version and export, in order.
      const ingested = await stack.client.readStreamEvents(ingestStreamName(id), ingestCatalog);
      const expectedIds = ['identity', 'member', ...Array.from({ length: rounds }, (_, index) => `round-${index + 1}`)].map((key) => deterministicEventId('crash-e2e', seed, id, key));
      if (ingested.map((stored) => stored.eventId).join() !== expectedIds.join()) problems.push(`${id}: ingest stream holds ${ingested.length} events, not the ${expectedIds.length} acknowledged`);
      const mine = requested.filter((data) => data.profileId === id);
      const states = mine.map((data) => `${data.sequence}:${documentFirstName(data.document)}`).join();
      const expectedStates = Array.from({ length: rounds + 1 }, (_, index) => `${index + 1}:${index === 0 ? undefined : `v${index}`}`).join();
      if (states !== expectedStates) problems.push(`${id}: exports requested ${states}, expected ${expectedStates}`);
      const lastSequence = Math.max(...mine.map((data) => data.sequence));
      const acceptedHere = accepted.filter((record) => record.profileId === id);
      // Nothing acknowledged upstream was lost: the newest export carries the last acknowledged write, and the endpoint accepted it.
      const last = acceptedHere.find((record) => record.sequence === lastSequence);
      if (acknowledged.get(id) !== rounds) problems.push(`${id}: the writer's last acknowledged round is ${acknowledged.get(id)}`);
      if (!last) problems.push(`${id}: last sequence ${lastSequence} never accepted (accepted: ${acceptedHere.map((record) => record.sequence).join(',')})`);
      else if (firstNameOf(last) !== `v${acknowledged.get(id)}`) problems.push(`${id}: last accepted state says ${firstNameOf(last)}, the last acknowledged write v${acknowledged.get(id)}`);
      // Never an older sequence accepted after a newer one.
      acceptedHere.forEach((record, index) => {
        const before = acceptedHere[index - 1];
        if (before && record.sequence < before.sequence) problems.push(`${id}: sequence ${record.sequence} accepted after ${before.sequence}`);
      });
      // A duplicate carries the export id of its (dataflow, profile, sequence) and the first one's body.
      const first = new Map<number, FaultyRequestRecord>();
      for (const record of acceptedHere) {
        if (record.exportId !== exportIdOf(dataflowId, id, record.sequence)) problems.push(`${id}: sequence ${record.sequence} sent as export ${record.exportId}`);
        const earlier = first.get(record.sequence);
        if (!earlier) first.set(record.sequence, record);
        else if (earlier.rawBody !== record.rawBody || earlier.exportId !== record.exportId) problems.push(`${id}: duplicate of sequence ${record.sequence} differs from the first`);
      }
    }
    // Every export never accepted was given up (dead letter) or replaced by a newer one (superseded).
    const acceptedIds = new Set(accepted.map((record) => record.exportId));
    const unaccounted = requested.filter((data) => !acceptedIds.has(data.exportId) && !superseded.has(data.exportId) && !deadLettered.has(data.exportId));
    for (const data of unaccounted) problems.push(`${data.profileId}: export ${data.exportId} (sequence ${data.sequence}) neither accepted, superseded nor dead-lettered`);

    const duplicates = accepted.length - acceptedIds.size;
    console.info(
      [
        `crash-faults: seed ${seed}; ${requested.length} exports requested, ${receiver.records.length} requests answered ${JSON.stringify(receiver.counts())}`,
        `  ${acceptedIds.size} exports accepted (+${duplicates} accepted duplicates), ${superseded.size} superseded (${[...superseded].filter((exportId) => acceptedIds.has(exportId)).length} of them accepted before a crash lost the outcome), ${deadLettered.size} dead-lettered`,
        `  crashes: ${crashLog.join('; ')}`,
        `  supervisor restarts after unplanned exits: ${JSON.stringify(stack.unplannedExits())}; failed starts retried: ${stack.failedStarts()}`,
        `  error log lines: ${stack.errorLogs().length} ${JSON.stringify(stack.errorLogs().slice(0, 5))}`,
        ...problems.slice(0, 40).map((problem) => `  PROBLEM ${problem}`),
      ].join('\n'),
    );
    expect(requested.length).toBeGreaterThanOrEqual(profileIds.length * (rounds + 1));
    expect(problems).toEqual([]);
  }, 240_000);
});
