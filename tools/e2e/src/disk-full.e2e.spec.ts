import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { defineEvents } from '@spillway/event-streams';
import { exportsStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { mountSmallDisk } from '@spillway/testing';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestUntilAcknowledged, profileOf, sequenceOf } from './harness/expectations.ts';
import { waitForPipeline } from './harness/settle.ts';
import { serviceNames, startStack, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

/**
 * The whole stack with the store's data on a real 64 MiB tmpfs, filled up while profile changes
 * flow. Mounting needs root; where that is not allowed the test says why and is skipped.
 */
const small = await mountSmallDisk(64 * 1024 * 1024);
if (!small.mounted) console.warn(`whole-stack disk-full test skipped: ${small.reason}`);

const rounds = 8;
const fullMs = 4_000;
const profileIds = Array.from({ length: 20 }, (_, index) => `full-${String(index).padStart(2, '0')}`);
const exportEvents = defineEvents({ ExportRequested: internalEventSchemas.ExportRequested }, { unknownTypes: 'ignore' });
const noSpace = /no space left to write/;

let stack: Stack | undefined;
beforeAll(async () => {
  if (!small.mounted) return;
  stack = await startStack({ storeDataDir: join(small.disk.path, 'data') });
  await stack.apply(`
audiences:
  - { id: full-members, name: Disk full members, mergePolicy: mp-main }
destinations:
  - { id: receiver-full, name: E2E receiver (disk full), endpoint: "${stack.receiver.url}/full" }
dataflows:
  - { id: flow-full, destination: receiver-full, audiences: [full-members], attributes: [person.name.firstName] }
`);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  if (small.mounted) await small.disk.remove();
});

describe.skipIf(!small.mounted)('the disk under the store fills up while profile changes flow', () => {
  it('then writes are refused with "no space left", the services log it at warn and retry without exiting, and once space is freed every change arrives', async () => {
    if (!stack || !small.mounted) return;
    const { disk } = small;
    const running = stack;
    const append = (id: string, key: string, event: Parameters<typeof ingestUntilAcknowledged>[1]) => ingestUntilAcknowledged(running.client, event, ['full-e2e', id, key], 90_000);
    const pids = serviceNames.map((name) => running.service(name).pid);
    await Promise.all(profileIds.map(async (id) => {
      await append(id, 'identity', ingestEvents.identitiesLinked(id, { crmid: [{ id }] }));
      await append(id, 'member', ingestEvents.membershipChanged(id, 'full-members', 'realized', '2024-05-01T09:00:00Z'));
    }));

    let full: Promise<void> | undefined;
    for (let round = 1; round <= rounds; round++) {
      // Round 3 is written while the services are paused, so that it is still theirs to handle
      // when the disk is full: otherwise a quick pipeline is done with it before the disk fills,
      // nothing else can be ingested, and no service ever writes to the full disk.
      const writeRound = () => Promise.all(profileIds.map((id) => append(id, `round-${round}`, ingestEvents.attributesWritten(id, { person: { name: { firstName: `v${round}` } } }, '2024-05-01T10:00:00Z'))));
      if (round !== 3) await writeRound();
      else {
        for (const pid of pids) process.kill(pid, 'SIGSTOP');
        try {
          await writeRound();
          await disk.fillLeaving(0);
        } finally {
          for (const pid of pids) process.kill(pid, 'SIGCONT');
        }
        // Held full until a service has met it, then `fullMs` more; meanwhile the next rounds wait for their acknowledgement.
        full = (async () => {
          await waitUntil(() => serviceNames.some((name) => running.service(name).logs().some((entry) => noSpace.test(JSON.stringify(entry)))), 'a service to meet the full disk', 30_000);
          await sleep(fullMs);
          await disk.freeSpace();
        })();
      }
      await sleep(200);
    }
    await full;
    await waitForPipeline(running.client, { profileIds, dataflowIds: ['flow-full'] }, 60_000);

    expect(serviceNames.map((name) => running.service(name).pid)).toEqual(pids);
    const report: string[] = [];
    for (const name of serviceNames) {
      const lines = running.service(name).logs();
      const refused = lines.filter((entry) => noSpace.test(JSON.stringify(entry)));
      report.push(`${name}: ${refused.length} lines about the full disk${refused[0] ? `, first: ${JSON.stringify(refused[0])}` : ''}`);
      for (const entry of refused) expect(entry.level, name).toBe('warn');
      expect(lines.filter((entry) => entry.level === 'raw'), name).toEqual([]);
    }
    console.info(`disk full:\n  ${report.join('\n  ')}`);
    expect(running.store.logs().some((line) => line.includes('"disk full: writes refused until space is freed; reads go on"'))).toBe(true);
    expect(running.errorLogs()).toEqual([]);

    const requested = (await running.client.readStreamEvents(exportsStreamName('flow-full'), exportEvents)).map((stored) => stored.event.data);
    const answered = running.receiver.requests.filter((request) => request.path === '/full' && running.receiver.outcomeOf(request) === 'answered');
    for (const id of profileIds) {
      expect(requested.filter((data) => data.profileId === id).map((data) => data.sequence), id).toEqual(Array.from({ length: rounds + 1 }, (_, index) => index + 1));
      const last = answered.filter((request) => profileOf(request) === id).at(-1);
      expect(last && sequenceOf(last), id).toBe(rounds + 1);
      expect(last?.body, id).toMatchObject({ person: { name: { firstName: `v${rounds}` } } });
    }
  }, 120_000);
});
