import { writeFile } from 'node:fs/promises';
import type { EventStore } from '@spillway/event-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceEvents, dataflowEvents, destinationEvents } from '../config-streams/public-catalogs.ts';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

let store: EventStore;
beforeAll(async () => {
  store = await connectForTest();
});
afterAll(async () => {
  await store.close();
});

interface Ids {
  readonly destination: string;
  readonly dataflow: string;
  readonly audience: string;
}

const newIds = (): Ids => ({ destination: uniqueId('dest'), dataflow: uniqueId('flow'), audience: uniqueId('aud') });

function configYaml(ids: Ids, options: { readonly audienceName?: string; readonly headers?: string } = {}): string {
  return `audiences:
  - id: ${ids.audience}
    name: ${options.audienceName ?? 'VIP customers'}
    mergePolicy: default
destinations:
  - id: ${ids.destination}
    name: Receiver
    endpoint: http://127.0.0.1:8787/exports
    headers: "${options.headers ?? 'x-tenant:acme,x-api-version:2'}"
    queryParams: "source=spillway&region=eu%20west"
    auth: { type: bearer, token: "env:RECEIVER_TOKEN" }
    includeSegmentNames: true
dataflows:
  - id: ${ids.dataflow}
    destination: ${ids.destination}
    audiences: [${ids.audience}]
    attributes: [person.name.firstName, personalEmail.address]
`;
}

const destinationStream = (ids: Ids) => store.readStreamEvents(`destination-${ids.destination}`, destinationEvents);
const dataflowStream = (ids: Ids) => store.readStreamEvents(`dataflow-${ids.dataflow}`, dataflowEvents);
const audienceStream = (ids: Ids) => store.readStreamEvents(`audience-${ids.audience}`, audienceEvents);

describe('spillway apply', () => {
  it('given a new config file, when applied, then its events are in the public streams as streams.md defines them', async () => {
    const ids = newIds();
    const file = await writeTempFile('spillway.yaml', configYaml(ids));
    const before = Date.now();
    const run = await runCli(['apply', file]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`audience ${ids.audience}: created`);
    expect(run.stdout).toContain(`destination ${ids.destination}: created`);
    expect(run.stdout).toContain(`dataflow ${ids.dataflow}: created`);

    const [destination] = await destinationStream(ids);
    expect(destination?.event).toEqual({
      type: 'DestinationConfigured',
      data: {
        destinationId: ids.destination,
        name: 'Receiver',
        endpoint: 'http://127.0.0.1:8787/exports',
        headers: { 'x-tenant': 'acme', 'x-api-version': '2' },
        queryParams: { source: 'spillway', region: 'eu west' },
        auth: { type: 'bearer', token: 'env:RECEIVER_TOKEN' },
        includeSegmentNames: true,
        includeSegmentTimestamps: false,
      },
    });
    const [dataflow] = await dataflowStream(ids);
    expect(dataflow?.event).toEqual({
      type: 'DataflowConfigured',
      data: {
        dataflowId: ids.dataflow,
        destinationId: ids.destination,
        audiences: [{ audienceId: ids.audience }],
        attributes: ['person.name.firstName', 'personalEmail.address'],
        enabled: true,
      },
    });
    const [audience] = await audienceStream(ids);
    expect(audience?.event.type).toBe('AudienceDefined');
    expect(audience?.event.data).toMatchObject({ audienceId: ids.audience, name: 'VIP customers', mergePolicyId: 'default', origin: 'segmentation' });
    expect(audience!.event.data.createdAt).toBeGreaterThanOrEqual(before);
    expect(audience!.event.data.updatedAt).toBe(audience!.event.data.createdAt);
  });

  it('given an applied file, when applied again, then nothing is written and every item is unchanged', async () => {
    const ids = newIds();
    const file = await writeTempFile('spillway.yaml', configYaml(ids));
    expect((await runCli(['apply', file])).exitCode).toBe(0);
    const again = await runCli(['apply', file]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('0 created, 0 updated, 3 unchanged');
    expect(await destinationStream(ids)).toHaveLength(1);
    expect(await dataflowStream(ids)).toHaveLength(1);
    expect(await audienceStream(ids)).toHaveLength(1);
  });

  it('given an applied file, when one destination header and the audience name change, then only those are updated and createdAt is kept', async () => {
    const ids = newIds();
    const file = await writeTempFile('spillway.yaml', configYaml(ids));
    expect((await runCli(['apply', file])).exitCode).toBe(0);
    await writeFile(file, configYaml(ids, { audienceName: 'Very important', headers: 'x-tenant:globex,x-api-version:2' }));
    const run = await runCli(['apply', file, '--json']);
    expect(run.exitCode).toBe(0);
    const output = JSON.parse(run.stdout) as { changes: { kind: string; change: string; written: boolean }[] };
    expect(output.changes.map((change) => [change.kind, change.change, change.written])).toEqual([
      ['audience', 'updated', true],
      ['destination', 'updated', true],
      ['dataflow', 'unchanged', false],
    ]);
    const destinations = await destinationStream(ids);
    expect(destinations).toHaveLength(2);
    expect(destinations[1]!.event.data).toMatchObject({ headers: { 'x-tenant': 'globex', 'x-api-version': '2' } });
    const [first, second] = await audienceStream(ids);
    expect(second!.event.data.name).toBe('Very important');
    expect(second!.event.data.createdAt).toBe(first!.event.data.createdAt);
    expect(second!.event.data.updatedAt).toBeGreaterThanOrEqual(first!.event.data.updatedAt);
    expect(await dataflowStream(ids)).toHaveLength(1);
  });

  it('given a destination whose newest event is malformed (written by hand), when the file is applied again changed, then it is updated over it', async () => {
    const ids = newIds();
    const file = await writeTempFile('spillway.yaml', configYaml(ids));
    expect((await runCli(['apply', file])).exitCode).toBe(0);
    await store.appendUncheckedEvents(`destination-${ids.destination}`, [{ type: 'DestinationConfigured', data: { destinationId: ids.destination, endpoint: 42 } }]);
    await writeFile(file, configYaml(ids, { headers: 'x-tenant:globex' }));
    const run = await runCli(['apply', file]);
    expect(run.exitCode).toBe(0);
    // the malformed event is named on the way, as every reader names it
    expect(run.stderr).toMatch(new RegExp(`"message":"event rejected".*"stream":"destination-${ids.destination}".*"revision":"1"`));
    const destinations = await destinationStream(ids);
    expect(destinations.map((stored) => [stored.revision, stored.event.type === 'DestinationConfigured' && stored.event.data.headers])).toEqual([
      [0n, { 'x-tenant': 'acme', 'x-api-version': '2' }],
      [2n, { 'x-tenant': 'globex' }],
    ]);
  });

  it('given --dry-run, when applied, then the events are printed and nothing is written', async () => {
    const ids = newIds();
    const file = await writeTempFile('spillway.yaml', configYaml(ids));
    const run = await runCli(['apply', file, '--dry-run']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`destination ${ids.destination}: would create, appending DestinationConfigured to destination-${ids.destination}`);
    expect(run.stdout).toContain('"token": "env:RECEIVER_TOKEN"');
    expect(run.stdout).toContain('3 to create, 0 to update, 0 unchanged');
    expect(await destinationStream(ids)).toEqual([]);
    expect(await dataflowStream(ids)).toEqual([]);
    expect(await audienceStream(ids)).toEqual([]);
  });

  it('given a file with a literal secret in its second destination, when applied, then nothing at all is written and the file and field are named', async () => {
    const ids = newIds();
    const literal = `${configYaml(ids)}  - id: ${ids.dataflow}-b\n    destination: ${ids.destination}\n`.replace(
      'destinations:\n',
      `destinations:\n  - id: ${ids.destination}-b\n    name: B\n    endpoint: https://b.example.com\n    auth: { type: bearer, token: "hunter2-secret" }\n`,
    );
    const file = await writeTempFile('bad.yaml', literal);
    const run = await runCli(['apply', file]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`spillway: ${file}:9: destinations[0].auth.token: looks like a literal secret`);
    expect(run.stderr).toContain('env:NAME');
    expect(run.stderr).toContain(`${file}: nothing was written`);
    expect(run.stderr).not.toContain('hunter2-secret');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await destinationStream(ids)).toEqual([]);
    expect(await audienceStream(ids)).toEqual([]);
    expect(await dataflowStream(ids)).toEqual([]);
  });

  it('given a dataflow whose destination exists nowhere, when applied, then nothing is written and the field is named', async () => {
    const ids = newIds();
    const file = await writeTempFile('orphan.json', JSON.stringify({ dataflows: [{ id: ids.dataflow, destination: ids.destination }] }, null, 2));
    const run = await runCli(['apply', file]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${file}:5: dataflows[0].destination: destination '${ids.destination}' is neither in this file nor in the store`);
    expect(await dataflowStream(ids)).toEqual([]);
  });
});
