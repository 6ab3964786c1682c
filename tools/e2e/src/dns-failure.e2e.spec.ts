import { defineEvents } from '@spillway/event-streams';
import { deadlettersStreamName, deliveriesStreamName, internalEventSchemas } from '@spillway/pipeline-events';
import { startDnsServer, type DnsServer, type ReceivedRequest } from '@spillway/testing';
import { ingestEvents } from '@spillway/xdm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, profileOf } from './harness/expectations.ts';
import { waitForPipeline } from './harness/settle.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

// A name only our DNS server knows (.test is reserved: no real resolver answers it).
const hostName = 'export.spillway.test';
const profileIds = Array.from({ length: 10 }, (_, index) => `dns-${String(index).padStart(2, '0')}`);
const outcomeEvents = defineEvents(
  { ExportDelivered: internalEventSchemas.ExportDelivered, ExportAttemptFailed: internalEventSchemas.ExportAttemptFailed, ExportFailed: internalEventSchemas.ExportFailed },
  { unknownTypes: 'ignore' },
);
const deadLetterEvents = defineEvents({ ExportDeadLettered: internalEventSchemas.ExportDeadLettered }, { unknownTypes: 'ignore' });

let dns: DnsServer;
let stack: Stack;
beforeAll(async () => {
  // A real resolver over UDP: the name does not exist (NXDOMAIN) until the test says it does.
  dns = await startDnsServer(() => 'nxdomain');
  stack = await startStack({ env: { 'delivery-agent': { SPILLWAY_DNS_SERVERS: dns.address } } });
  await stack.apply(`
audiences:
  - { id: dns-members, name: DNS members, mergePolicy: mp-main }
destinations:
  - id: receiver-by-name
    name: Receiver by a name that does not resolve yet
    endpoint: "http://${hostName}:${stack.receiver.port}/by-name"
    retry: { attempts: 20, baseDelayMs: 200, maxDelayMs: 1000 }
  - { id: receiver-by-address, name: Receiver by address, endpoint: "${stack.receiver.url}/by-address" }
dataflows:
  - { id: flow-dns, destination: receiver-by-name, audiences: [dns-members], attributes: [person.name.firstName] }
  - { id: flow-dns-ip, destination: receiver-by-address, audiences: [dns-members], attributes: [person.name.firstName] }
`);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await dns?.close();
});

const answeredAt = (path: string) => (stack.receiver.requests as ReceivedRequest[]).filter((request) => request.path === path && stack.receiver.outcomeOf(request) === 'answered');
const profilesAt = (path: string) => new Set(answeredAt(path).map(profileOf));

describe('an endpoint whose host name does not resolve', () => {
  it('given NXDOMAIN from the DNS server, then attempts fail with ENOTFOUND and are retried while the other destination delivers; once the name resolves, every export arrives', async () => {
    for (const id of profileIds) {
      await ingest(stack.client, ingestEvents.identitiesLinked(id, { crmid: [{ id }] }), ingestEvents.membershipChanged(id, 'dns-members', 'realized', '2024-05-01T09:00:00Z'));
    }
    // Not blocked: the destination reached by address gets every profile meanwhile.
    await waitUntil(() => profilesAt('/by-address').size === profileIds.length, 'every profile at the destination reached by address', 45_000);
    const failedAttempts = async () =>
      (await stack.client.readStreamEvents(deliveriesStreamName('flow-dns'), outcomeEvents)).flatMap((stored) => (stored.event.type === 'ExportAttemptFailed' ? [stored.event.data] : []));
    await waitUntil(async () => new Set((await failedAttempts()).map((data) => data.profileId)).size === profileIds.length, 'a failed attempt recorded for every profile', 45_000);
    const failures = await failedAttempts();
    expect(new Set(failures.map((data) => data.errorCode))).toEqual(new Set(['ENOTFOUND']));
    expect(failures[0]?.reason).toMatch(/ENOTFOUND/);
    expect(answeredAt('/by-name')).toEqual([]);
    expect(dns.queries.some((query) => query.name === hostName && query.answeredWith === 'nxdomain')).toBe(true);

    dns.setResponder((name) => (name === hostName ? ['127.0.0.1'] : 'nxdomain'));
    await waitUntil(() => profilesAt('/by-name').size === profileIds.length, 'every profile at the destination reached by name', 45_000);
    await waitForPipeline(stack.client, { profileIds, dataflowIds: ['flow-dns', 'flow-dns-ip'] }, 45_000);

    const outcomes = (await stack.client.readStreamEvents(deliveriesStreamName('flow-dns'), outcomeEvents)).map((stored) => stored.event);
    const delivered = outcomes.flatMap((event) => (event.type === 'ExportDelivered' ? [event.data] : []));
    expect(new Set(delivered.map((data) => data.profileId))).toEqual(new Set(profileIds));
    expect(delivered.every((data) => data.attempts > 1)).toBe(true);
    expect(outcomes.filter((event) => event.type === 'ExportFailed')).toEqual([]);
    expect(await stack.client.readStreamEvents(deadlettersStreamName('flow-dns'), deadLetterEvents)).toEqual([]);
    const agentLogs = stack.service('delivery-agent').logs();
    expect(agentLogs.some((entry) => entry.message === 'export attempt failed, retry planned' && /ENOTFOUND/.test(String(entry['reason'])))).toBe(true);
    expect(stack.errorLogs()).toEqual([]);
    console.info(`dns: ${failures.length} attempts failed with ENOTFOUND, then ${delivered.length} delivered (attempts ${delivered.map((data) => data.attempts).join(',')}); ${dns.queries.length} DNS queries`);
  }, 100_000);
});
