import { setTimeout as sleep } from 'node:timers/promises';
import { defineEvents } from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import type { ServiceLogEntry } from '@spillway/testing';
import { ingestEvents, type IngestEvent } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestUntilAcknowledged, profileOf, sequenceOf } from './harness/expectations.ts';
import { waitForPipeline } from './harness/settle.ts';
import { serviceNames, startStack, type ServiceName, type Stack } from './harness/stack.ts';

const rounds = 10;
const roundGapMs = 300;
const downMs = 4_000;
const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested }, { unknownTypes: 'ignore' });

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await stack.apply(`
audiences:
  - { id: outage-members, name: Outage members, mergePolicy: mp-main }
destinations:
  - { id: receiver-outage, name: E2E receiver (store outage), endpoint: "${stack.receiver.url}/outage" }
dataflows:
  - { id: flow-outage, destination: receiver-outage, audiences: [outage-members], attributes: [person.name.firstName] }
`);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const appendAcknowledged = (profileId: string, key: string, event: IngestEvent) => ingestUntilAcknowledged(stack.client, event, ['outage-e2e', profileId, key]);

/** Round r sets every profile's firstName to `v<r>`; `onRound` runs after each acknowledged round. */
async function writeRounds(profileIds: readonly string[], onRound: (round: number) => void): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    await Promise.all(profileIds.map((id) => appendAcknowledged(id, `round-${round}`, ingestEvents.attributesWritten(id, { person: { name: { firstName: `v${round}` } } }, '2024-05-01T10:00:00Z'))));
    onRound(round);
    await sleep(roundGapMs);
  }
}

const loggedAt = (entry: ServiceLogEntry) => Date.parse(String(entry['time']));
const mentionsStoreTrouble = (entry: ServiceLogEntry) => /store unavailable|subscription dropped/i.test(`${entry.message} ${JSON.stringify(entry['error'] ?? entry['reason'] ?? '')}`);

describe('the store goes away while profile changes flow', () => {
  it.each([['SIGKILL'], ['SIGTERM']] as const)(
    'given a %s of the store, down for 4 s, then restarted on its data and port: every service logs the outage in JSON, waits, reconnects without exiting, and every last state arrives',
    async (how) => {
      const profileIds = Array.from({ length: 20 }, (_, index) => `outage-${how.toLowerCase()}-${String(index).padStart(2, '0')}`);
      const pids = Object.fromEntries(serviceNames.map((name) => [name, stack.service(name).pid])) as Record<ServiceName, number>;
      const exits: string[] = [];
      for (const name of serviceNames) void stack.service(name).exited.then((exit) => exits.push(`${name} exited ${JSON.stringify(exit)}`));
      const linesBefore = Object.fromEntries(serviceNames.map((name) => [name, stack.service(name).logs().length])) as Record<ServiceName, number>;

      await Promise.all(profileIds.map(async (id) => {
        await appendAcknowledged(id, 'identity', ingestEvents.identitiesLinked(id, { crmid: [{ id }] }));
        await appendAcknowledged(id, 'member', ingestEvents.membershipChanged(id, 'outage-members', 'realized', '2024-05-01T09:00:00Z'));
      }));
      let outage: Promise<void> | undefined;
      let outageStartedAt = 0;
      await writeRounds(profileIds, (round) => {
        if (round !== 3) return;
        outageStartedAt = Date.now();
        outage = stack.storeOutage(how, downMs);
      });
      await outage;
      await waitForPipeline(stack.client, { profileIds, dataflowIds: ['flow-outage'] }, 60_000);

      // Nobody exited or was replaced: each service waited and reconnected on its own.
      expect(exits).toEqual([]);
      for (const name of serviceNames) expect(stack.service(name).pid).toBe(pids[name]);
      const report: string[] = [];
      for (const name of serviceNames) {
        const lines = stack.service(name).logs().slice(linesBefore[name]);
        const duringOutage = lines.filter((entry) => loggedAt(entry) >= outageStartedAt && loggedAt(entry) <= outageStartedAt + downMs + 10_000);
        const trouble = duringOutage.filter(mentionsStoreTrouble);
        report.push(`${name}: ${duringOutage.length} lines in the outage window, ${trouble.length} about the store, first: ${JSON.stringify(trouble[0])}`);
        // Said clearly, in JSON, at warn: what failed and why; then waited, not a flood.
        expect(trouble.length, name).toBeGreaterThan(0);
        expect(trouble[0], name).toMatchObject({ level: 'warn' });
        expect(lines.filter((entry) => entry.level === 'raw'), name).toEqual([]);
        expect(duringOutage.length, name).toBeLessThan(400);
        // The outage is told once per few seconds and source, not once per event held (that was 155 lines in 4 s).
        expect(trouble.length, name).toBeLessThan(40);
        expect(lines.some((entry) => entry.message === 'subscription resumed'), `${name} resumed its subscription`).toBe(true);
      }
      console.info(`store outage (${how}):\n  ${report.join('\n  ')}`);

      // Nothing lost: every acknowledged write became its export, and the last state of every profile was delivered.
      const requested = (await stack.client.readStreamEvents(exportsStreamName('flow-outage'), exportEvents)).map((stored) => stored.event.data);
      const answered = stack.receiver.requests.filter((request) => request.path === '/outage' && stack.receiver.outcomeOf(request) === 'answered');
      for (const id of profileIds) {
        expect(requested.filter((data) => data.profileId === id).map((data) => data.sequence), id).toEqual(Array.from({ length: rounds + 1 }, (_, index) => index + 1));
        const last = answered.filter((request) => profileOf(request) === id).at(-1);
        expect(last && sequenceOf(last), id).toBe(rounds + 1);
        expect(last?.body, id).toMatchObject({ person: { name: { firstName: `v${rounds}` } } });
      }
    },
    100_000,
  );
});
