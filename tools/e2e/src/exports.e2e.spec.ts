import { rejectionEvents } from '@spillway/event-streams';
import { ingestEvents } from '@spillway/xdm';
import type { ReceivedRequest } from '@spillway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceTimestamps, exportHeaders, exportIdOf, ingest, uuidPattern } from './harness/expectations.ts';
import { runCliOk } from './harness/cli.ts';
import { waitForPipeline } from './harness/settle.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { waitUntil } from './harness/wait.ts';

// The whole pipeline as real processes: one event store (temp data dir), the projector, the
// decider and the agent, a receiver on loopback, configuration applied with the CLI.
const token = 'e2e-token-5f1b';
const mapping = { mappingCreatedAt: 1649856570000, mappingUpdatedAt: 1649856575000 };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { 'delivery-agent': { E2E_BEARER_TOKEN: token } } });
  await stack.apply(`
audiences:
  - { id: gold, name: Gold members, mergePolicy: mp-main }
  - { id: silver, name: Silver members, mergePolicy: mp-main }
  - { id: partner-list, name: Partner list, mergePolicy: mp-partner }
  - { id: loyal, name: Loyal customers, mergePolicy: mp-main }
  - { id: newsletter, name: Newsletter, mergePolicy: mp-news }
destinations:
  - id: receiver-a
    name: E2E receiver
    endpoint: ${stack.receiver.url}/a
    headers: "X-Api-Key:abc,X-Team:growth"
    queryParams: "source=spillway&v=2"
    auth: { type: bearer, token: "env:E2E_BEARER_TOKEN" }
    includeSegmentNames: true
    includeSegmentTimestamps: true
  - { id: receiver-b, name: E2E receiver (incremental), endpoint: "${stack.receiver.url}/b" }
  - { id: receiver-d, name: E2E receiver (bad input), endpoint: "${stack.receiver.url}/d" }
dataflows:
  - { id: flow-b, destination: receiver-b, audiences: [loyal], attributes: [person.name.firstName] }
  - { id: flow-d, destination: receiver-d, audiences: [newsletter], attributes: [person.name.lastName] }
  - id: flow-a
    destination: receiver-a
    audiences: [{ id: gold, mappingCreatedAt: ${mapping.mappingCreatedAt}, mappingUpdatedAt: ${mapping.mappingUpdatedAt} }]
    attributes: [person.name.firstName, person.name.lastName, personalEmail.address]
`);
});
afterAll(async () => {
  const exits = await stack?.stop();
  expect(exits).toEqual({
    'profile-projector': { code: 0, signal: null },
    'export-decider': { code: 0, signal: null },
    'delivery-agent': { code: 0, signal: null },
  });
});

const requestsTo = (path: string) => stack.receiver.requests.filter((request) => request.path === path);

function expectExport(request: ReceivedRequest | undefined, expected: { dataflowId: string; profileId: string; sequence: number; document: unknown }) {
  expect(request?.method).toBe('POST');
  expect(request?.url).toBe('/a?source=spillway&v=2');
  expect(request?.query).toEqual({ source: 'spillway', v: '2' });
  expect(exportHeaders(request!)).toEqual({
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
    'x-api-key': 'abc',
    'x-team': 'growth',
    'x-export-id': exportIdOf(expected.dataflowId, expected.profileId, expected.sequence),
    'x-export-sequence': String(expected.sequence),
    'user-agent': 'spillway-delivery-agent/0.1',
  });
  expect(request!.headers['x-export-id']).toMatch(uuidPattern);
  expect(request?.body).toEqual(expected.document);
  // The keys in the order of the reference format, as the receiver reads them.
  expect(request?.rawBody).toBe(JSON.stringify(expected.document));
}

describe('a profile through the whole pipeline', () => {
  it('exports on qualification and on a mapped attribute write, never on an unmapped write, and with status exited on exit', async () => {
    const profileId = 'john-doe';
    const ecid = '14575006536349286404619648085736425115';
    const gold = await audienceTimestamps(stack.client, 'gold');
    const goldEntry = (status: string, lastQualificationTime: string) => ({
      lastQualificationTime,
      status,
      ...gold,
      ...mapping,
      name: 'Gold members',
    });
    const silverEntry = { lastQualificationTime: '2020-04-15T02:41:50Z', status: 'realized' };
    const identityMap = { ecid: [{ id: ecid }], crmid: [{ id: profileId }] };

    // Revisions of profile-john-doe: 0 identities, 1 attributes, 2 silver, 3 partner-list, 4 gold.
    await ingest(
      stack.client,
      ingestEvents.identitiesLinked(profileId, identityMap),
      ingestEvents.attributesWritten(profileId, { person: { name: { firstName: 'John', lastName: 'Doe' } }, personalEmail: { address: 'john.doe@acme.com' }, homeAddress: { city: 'Lyon' } }, '2024-05-01T10:00:00Z'),
      ingestEvents.membershipChanged(profileId, 'silver', 'realized', '2020-04-15T02:41:50Z'),
      ingestEvents.membershipChanged(profileId, 'partner-list', 'realized', '2021-01-01T00:00:00Z'),
      ingestEvents.membershipChanged(profileId, 'gold', 'realized', '2019-04-15T02:41:50Z'),
    );
    await waitUntil(() => requestsTo('/a').length >= 1, 'the qualification export');
    expectExport(requestsTo('/a')[0], {
      dataflowId: 'flow-a',
      profileId,
      sequence: 4,
      document: {
        person: { name: { firstName: 'John', lastName: 'Doe' } },
        personalEmail: { address: 'john.doe@acme.com' },
        segmentMembership: { ups: { gold: goldEntry('realized', '2019-04-15T02:41:50Z'), silver: silverEntry } },
        identityMap,
      },
    });

    // A mapped attribute, written through the CLI: revision 5.
    await runCliOk(stack.store.connectionString, ['ingest', 'attributes', '--profile', profileId, '--json', '{"person":{"name":{"firstName":"Johnny"}}}']);
    await waitUntil(() => requestsTo('/a').length >= 2, 'the attribute export');
    const afterRename = {
      person: { name: { firstName: 'Johnny', lastName: 'Doe' } },
      personalEmail: { address: 'john.doe@acme.com' },
      segmentMembership: { ups: { gold: goldEntry('realized', '2019-04-15T02:41:50Z'), silver: silverEntry } },
      identityMap,
    };
    expectExport(requestsTo('/a')[1], { dataflowId: 'flow-a', profileId, sequence: 5, document: afterRename });

    // An unmapped attribute (revision 6), then a mapped one (revision 7) as a marker: exports of
    // one profile arrive in order, so had the first exported, it would arrive before the marker.
    await runCliOk(stack.store.connectionString, ['ingest', 'attributes', '--profile', profileId, '--json', '{"homeAddress":{"city":"Paris"}}']);
    await ingest(stack.client, ingestEvents.attributesWritten(profileId, { personalEmail: { address: 'johnny@acme.com' } }, '2024-05-01T10:05:00Z'));
    await waitUntil(() => requestsTo('/a').length >= 3, 'the marker export');
    expectExport(requestsTo('/a')[2], {
      dataflowId: 'flow-a',
      profileId,
      sequence: 7,
      document: { ...afterRename, personalEmail: { address: 'johnny@acme.com' } },
    });

    // Exit from the mapped audience: revision 8.
    await ingest(stack.client, ingestEvents.membershipChanged(profileId, 'gold', 'exited', '2024-05-02T08:00:00Z'));
    await waitUntil(() => requestsTo('/a').length >= 4, 'the exit export');
    expectExport(requestsTo('/a')[3], {
      dataflowId: 'flow-a',
      profileId,
      sequence: 8,
      document: {
        ...afterRename,
        personalEmail: { address: 'johnny@acme.com' },
        segmentMembership: { ups: { gold: goldEntry('exited', '2024-05-02T08:00:00Z'), silver: silverEntry } },
      },
    });
    expect(requestsTo('/a').map((request) => request.headers['x-export-sequence'])).toEqual(['4', '5', '7', '8']);

    await waitForPipeline(stack.client, { profileIds: [profileId], dataflowIds: ['flow-a'] });
    const shown = JSON.parse((await runCliOk(stack.store.connectionString, ['dataflows', 'show', 'flow-a', '--json'])).stdout) as { counts: unknown };
    expect(shown.counts).toEqual({ received: 9, exported: 4, delivered: 4, failed: 0, superseded: 0, deadLettered: 0, latencyMs: { p50: expect.any(Number), p95: expect.any(Number) } });
    expect(stack.errorLogs()).toEqual([]);
  }, 60_000);
});

interface SampleRun {
  readonly profiles: readonly { readonly profileId: string; readonly firstName: string; readonly ecid: string }[];
}

describe('incremental exports', () => {
  it('given an audience of 100 exported members, when 5 more qualify, then exactly 5 more profiles are exported', async () => {
    const sample = async (count: number) =>
      (JSON.parse((await runCliOk(stack.store.connectionString, ['ingest', 'sample', '--profiles', String(count), '--audience', 'loyal', '--json'])).stdout) as SampleRun).profiles;
    // Each sample profile: identities (revision 0), attributes (1), realized in loyal (2): one export, sequence 2.
    const expectedIds = (profiles: SampleRun['profiles']) => profiles.map((profile) => exportIdOf('flow-b', profile.profileId, 2)).sort();
    const receivedIds = () => requestsTo('/b').map((request) => String(request.headers['x-export-id'])).sort();

    const members = await sample(100);
    await waitForPipeline(stack.client, { profileIds: members.map((p) => p.profileId), dataflowIds: ['flow-b'] });
    expect(receivedIds()).toEqual(expectedIds(members));

    const newcomers = await sample(5);
    await waitForPipeline(stack.client, { profileIds: [...members, ...newcomers].map((p) => p.profileId), dataflowIds: ['flow-b'] });
    expect(requestsTo('/b')).toHaveLength(105);
    expect(receivedIds()).toEqual(expectedIds([...members, ...newcomers]));
    const lastFive = requestsTo('/b').slice(100);
    expect(lastFive.map((request) => request.headers['x-export-id']).sort()).toEqual(expectedIds(newcomers));
    const byEcid = new Map(newcomers.map((p) => [p.ecid, p]));
    for (const request of lastFive) {
      const document = request.body as { person: { name: { firstName: string } }; identityMap: { ecid: { id: string }[] }; segmentMembership: { ups: Record<string, { status: string }> } };
      const profile = byEcid.get(document.identityMap.ecid[0]!.id);
      expect(document).toEqual({
        person: { name: { firstName: profile?.firstName } },
        segmentMembership: { ups: { loyal: { lastQualificationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), status: 'realized' } } },
        identityMap: { ecid: [{ id: profile?.ecid }] },
      });
    }
  }, 60_000);
});

describe('bad input', () => {
  it('given a malformed ingest event, then it is reported and skipped, and the events after it still flow', async () => {
    const profileId = 'jane-roe';
    const stream = `ingest-${profileId}`;
    await stack.client.appendUncheckedEvents(stream, [
      { type: 'ProfileAttributesWritten', data: { profileId, attributes: 'not an object', writtenAt: '2024-05-01T10:00:00Z' } },
    ]);
    const identityMap = { crmid: [{ id: profileId }] };
    await ingest(
      stack.client,
      ingestEvents.identitiesLinked(profileId, identityMap),
      ingestEvents.attributesWritten(profileId, { person: { name: { firstName: 'Jane', lastName: 'Roe' } } }, '2024-05-01T10:01:00Z'),
      ingestEvents.membershipChanged(profileId, 'newsletter', 'realized', '2024-05-01T10:02:00Z'),
    );

    await waitUntil(() => requestsTo('/d').length >= 1, 'the export after the malformed event');
    const [delivered] = requestsTo('/d');
    // The malformed event made no profile version: the realization is revision 2.
    expect(delivered?.headers['x-export-sequence']).toBe('2');
    expect(delivered?.headers['x-export-id']).toBe(exportIdOf('flow-d', profileId, 2));
    expect(delivered?.body).toEqual({
      person: { name: { lastName: 'Roe' } },
      segmentMembership: { ups: { newsletter: { lastQualificationTime: '2024-05-01T10:02:00Z', status: 'realized' } } },
      identityMap,
    });

    const report = stack.service('profile-projector').logs().find((entry) => entry.message === 'event rejected' && entry['stream'] === stream);
    expect(report).toMatchObject({ level: 'warn', stream, revision: '0', eventType: 'ProfileAttributesWritten', reason: 'schema-mismatch' });
    expect(String(report?.['detail'])).toContain('attributes');
    const rejections = await stack.client.readStreamEvents('spillway-rejections-profile-projector-0-of-1', rejectionEvents);
    expect(rejections.map((stored) => stored.event.data)).toContainEqual(
      expect.objectContaining({ stream, revision: '0', eventType: 'ProfileAttributesWritten', reason: 'schema-mismatch' }),
    );
    expect(stack.errorLogs()).toEqual([]);
  }, 60_000);
});

describe('an audience added to a dataflow', () => {
  it('exports a member already exported at its current version again, now with that audience: a new X-Export-Id, the same X-Export-Sequence', async () => {
    const at = '2026-11-23T09:00:00Z';
    await stack.apply(`
audiences:
  - { id: base-list, name: Base list, mergePolicy: mp-main }
  - { id: added-list, name: Added list, mergePolicy: mp-added }
destinations:
  - { id: receiver-c, name: E2E receiver (audience added), endpoint: "${stack.receiver.url}/c", includeSegmentNames: true }
dataflows:
  - { id: flow-c, destination: receiver-c, audiences: [base-list], attributes: [person.name.firstName] }
`);
    const profileId = 'audience-added-1';
    await ingest(
      stack.client,
      ingestEvents.attributesWritten(profileId, { person: { name: { firstName: 'Ada' } } }, at),
      ingestEvents.membershipChanged(profileId, 'added-list', 'realized', at),
      ingestEvents.membershipChanged(profileId, 'base-list', 'realized', at),
    );
    await waitUntil(() => requestsTo('/c').length === 1, 'the live export to /c');
    await stack.apply(`
dataflows:
  - { id: flow-c, destination: receiver-c, audiences: [base-list, added-list], attributes: [person.name.firstName] }
`);
    await waitUntil(() => requestsTo('/c').length === 2, 'the backfill export to /c');
    const [live, backfilled] = requestsTo('/c');

    expect(live?.body).toEqual({
      person: { name: { firstName: 'Ada' } },
      segmentMembership: { ups: { 'base-list': { lastQualificationTime: at, status: 'realized', name: 'Base list' } } },
      identityMap: {},
    });
    expect(backfilled?.body).toEqual({
      person: { name: { firstName: 'Ada' } },
      segmentMembership: {
        ups: {
          'base-list': { lastQualificationTime: at, status: 'realized', name: 'Base list' },
          'added-list': { lastQualificationTime: at, status: 'realized', name: 'Added list' },
        },
      },
      identityMap: {},
    });
    expect(backfilled?.headers['x-export-sequence']).toBe(live?.headers['x-export-sequence']);
    expect(backfilled?.headers['x-export-id']).toMatch(uuidPattern);
    expect(backfilled?.headers['x-export-id']).not.toBe(live?.headers['x-export-id']);
  }, 60_000);
});
