import { defineEvents, type EventStore } from '@spillway/event-streams';
import { backfillEventSchemas, backfillStreamName } from '@spillway/pipeline-events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectForTest, runCli, uniqueId, writeTempFile } from '../testing/cli-process.ts';

const cliMain = fileURLToPath(new URL('../main.ts', import.meta.url));
const backfillEvents = defineEvents(backfillEventSchemas);
const backfillId = '7d444840-9dc0-11d1-b245-5ffdce74fad2';

describe('spillway backfill status', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await connectForTest();
  });
  afterAll(() => store.close());

  const base = (dataflowId: string) => ({ backfillId, dataflowId, partition: '0/1' });
  const started = (dataflowId: string) => ({
    type: 'BackfillStarted' as const,
    data: { ...base(dataflowId), audienceIds: ['vip'], configStream: `dataflow-${dataflowId}`, configEventId: 'e1', upToPosition: '1000/1000', startedAt: '2026-01-01T00:00:00.000Z' },
  });
  const progress = (dataflowId: string) => ({
    type: 'BackfillProgress' as const,
    data: { ...base(dataflowId), scanned: 120, exported: 80, position: '500/500', ratePerSecond: 40, at: '2026-01-01T00:00:03.000Z' },
  });
  const completed = (dataflowId: string) => ({
    type: 'BackfillCompleted' as const,
    data: { ...base(dataflowId), scanned: 250, exported: 200, completedAt: '2026-01-01T00:00:06.000Z' },
  });

  it('shows a running backfill with scanned, exported, how far and its rate, also as JSON', async () => {
    const df = uniqueId('flow');
    await store.appendEvents(backfillStreamName(df), backfillEvents, [started(df), progress(df)]);
    const run = await runCli(['backfill', 'status', df]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('running   [###############...............]  50%  audiences vip: scanned 120, exported 80, 40 profiles/s');
    const json = await runCli(['backfill', 'status', df, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ dataflowId: df, backfills: [{ state: 'running', scanned: 120, exported: 80, shareDone: 0.5 }] });
  });

  it('dataflows show lists the backfills of the dataflow', async () => {
    const [df, d] = [uniqueId('flow'), uniqueId('dest')];
    const file = await writeTempFile('spillway.yaml', `destinations:\n  - { id: ${d}, name: Partner, endpoint: "https://partner.example.com/p", auth: { type: none } }\ndataflows:\n  - { id: ${df}, destination: ${d}, audiences: [vip] }\n`);
    expect((await runCli(['apply', file])).exitCode).toBe(0);
    const before = await runCli(['dataflows', 'show', df]);
    expect(before.stdout).toContain('backfills:     (none)');
    await store.appendEvents(backfillStreamName(df), backfillEvents, [started(df), progress(df)]);
    const run = await runCli(['dataflows', 'show', df]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('  backfills:\n    running   [###############...............]  50%  audiences vip: scanned 120, exported 80, 40 profiles/s');
  });

  it('says so when a dataflow has no backfill', async () => {
    const run = await runCli(['backfill', 'status', uniqueId('flow')]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('no backfills for dataflow');
  });

  it('with --watch, redraws the progress until the backfill completes, then prints the final state', async () => {
    const df = uniqueId('flow');
    await store.appendEvents(backfillStreamName(df), backfillEvents, [started(df), progress(df)]);
    const child = spawn(process.execPath, [cliMain, 'backfill', 'status', df, '--watch', '--interval', '0.2'], {
      env: { ...process.env, EVENTSTORE_CONNECTION_STRING: inject('eventstoreConnectionString') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const drawn = new Promise<void>((resolve) =>
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('scanned 120, exported 80')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await drawn;
    await store.appendEvents(backfillStreamName(df), backfillEvents, [completed(df)]);
    expect(await exited).toBe(0);
    expect(stdout).toContain('completed [##############################] 100%  audiences vip: scanned 250, exported 200');
  });
});
