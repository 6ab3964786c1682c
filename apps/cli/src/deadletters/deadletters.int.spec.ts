import { defineEvents, deterministicEventId, type EventStore } from '@spillway/event-streams';
import { deadlettersStreamName, exportsStreamName, internalEventSchemas, type ExportDeadLettered } from '@spillway/pipeline-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectForTest, runCli, uniqueId } from '../testing/cli-process.ts';

const events = defineEvents({ ExportDeadLettered: internalEventSchemas.ExportDeadLettered, ExportReplayRequested: internalEventSchemas.ExportReplayRequested });

function deadLetter(dataflowId: string, profileId: string, sequence: number, answer: { status: number } | { errorCode: string }, at: string): ExportDeadLettered {
  const exportId = deterministicEventId('export', dataflowId, profileId, sequence);
  const base = { exportId, sequence, dataflowId, destinationId: `${dataflowId}-dest`, profileId };
  const exported = { ...base, triggers: ['attribute' as const], lane: 'live' as const, document: { person: { name: profileId } }, ingestedAt: at, decidedAt: at };
  const reason = 'status' in answer ? `the endpoint answered HTTP ${answer.status}` : 'the endpoint refused the connection';
  return {
    ...base,
    export: exported,
    request: { method: 'POST', url: 'http://127.0.0.1:9/in', queryParamNames: ['api_key'], headers: { authorization: '[redacted]', 'x-export-id': exportId } },
    attempts: [1, 2, 3].map((attempt) => ({ attempt, startedAt: at, durationMs: 12, ...answer, reason })),
    ...answer,
    reason: `gave up after 3 attempts: on the last one ${reason}`,
    deadLetteredAt: at,
  };
}

describe('spillway deadletters', () => {
  let store: EventStore;
  const [dfA, dfB] = [uniqueId('dl-a'), uniqueId('dl-b')];
  const letters = [
    deadLetter(dfA, 'p-1', 1, { status: 503 }, '2026-01-01T10:00:00.000Z'),
    deadLetter(dfA, 'p-2', 4, { status: 400 }, '2026-01-02T10:00:00.000Z'),
    deadLetter(dfA, 'p-3', 2, { errorCode: 'ECONNREFUSED' }, '2026-01-03T10:00:00.000Z'),
    deadLetter(dfB, 'p-1', 7, { status: 500 }, '2026-01-02T12:00:00.000Z'),
  ];
  beforeAll(async () => {
    store = await connectForTest();
    for (const letter of letters) {
      await store.appendEvents(deadlettersStreamName(letter.dataflowId), events, [{ type: 'ExportDeadLettered', data: letter }]);
    }
  });
  afterAll(() => store.close());

  const listed = async (...args: string[]) => {
    const run = await runCli(['deadletters', 'list', ...args, '--json']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    return (JSON.parse(run.stdout) as { deadLetters: ExportDeadLettered[] }).deadLetters.map((found) => `${found.dataflowId}/${found.profileId}`).filter((key) => key.startsWith(dfA) || key.startsWith(dfB));
  };

  it('lists dead letters, filtered by dataflow, status, profile and time', async () => {
    expect(await listed('--dataflow', dfA, '--status', '5xx')).toEqual([`${dfA}/p-1`]);
    // No --dataflow: every dataflow's dead letters.
    expect(await listed('--profile', 'p-1', '--since', '2026-01-02T00:00:00Z', '--until', '2026-01-03T00:00:00Z')).toEqual([`${dfB}/p-1`]);

    const text = await runCli(['deadletters', 'list', '--dataflow', dfA]);
    expect(text.stdout.trim().split('\n')).toHaveLength(3);
    expect(text.stdout).toContain(`${letters[0]!.exportId}  dataflow ${dfA}  profile p-1  seq 1  HTTP 503  3 attempts: gave up after 3 attempts`);
    expect(text.stdout).toContain(`profile p-3  seq 2  ECONNREFUSED  3 attempts`);
    const bad = await runCli(['deadletters', 'list', '--since', 'yesterday']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('--since must be a date or an ISO 8601 time');
  });

  it('shows one dead letter with its request, attempts and document; an unknown id is not found', async () => {
    const run = await runCli(['deadletters', 'show', letters[1]!.exportId]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`export ${letters[1]!.exportId}`);
    expect(run.stdout).toContain('request: POST http://127.0.0.1:9/in (query parameters api_key; values not recorded)');
    expect(run.stdout).toContain('authorization: [redacted]');
    expect(run.stdout).toContain('#2 2026-01-02T10:00:00.000Z HTTP 400 after 12 ms: the endpoint answered HTTP 400');
    expect(run.stdout).toContain('"name": "p-2"');
    const json = await runCli(['deadletters', 'show', letters[1]!.exportId, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ deadLetters: [letters[1]] });
    const missing = await runCli(['deadletters', 'show', '7d444840-9dc0-11d1-b245-5ffdce74fad2']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('has no dead letter');
  });

  it('replays the selected dead letters as ExportReplayRequested in their exports- stream, with JSON progress lines', async () => {
    const refused = await runCli(['deadletters', 'replay']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('--all');

    const run = await runCli(['deadletters', 'replay', '--dataflow', dfA, '--status', '5xx', '--json']);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ replayed: 1, replays: [{ exportId: letters[0]!.exportId, dataflowId: dfA, sequence: 1 }] });
    const progress = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(progress.at(-1)).toEqual({ progress: 'done', replayed: 1, total: 1 });

    const byExport = await runCli(['deadletters', 'replay', '--export', letters[2]!.exportId]);
    expect(byExport.stdout).toContain('1 dead letter queued for replay');

    const replays = (await store.readStreamEvents(exportsStreamName(dfA), events)).map(({ event, eventId }) => ({ eventId, event }));
    expect(replays).toHaveLength(2);
    const [first, second] = replays;
    expect(first!.event).toEqual({ type: 'ExportReplayRequested', data: { ...letters[0]!.export, replayId: first!.eventId, replayRequestedAt: expect.any(String) } });
    expect(second!.event.data).toMatchObject({ exportId: letters[2]!.exportId, sequence: 2 });

    // The replayed dead letters are marked in list (text and JSON), and are not replayed twice.
    const list = await runCli(['deadletters', 'list', '--dataflow', dfA, '--json']);
    const marks = (JSON.parse(list.stdout) as { deadLetters: { exportId: string; replayed?: { replayId: string } }[] }).deadLetters.map((found) => found.replayed?.replayId);
    expect(marks).toEqual([first!.eventId, undefined, second!.eventId]);
    const text = await runCli(['deadletters', 'list', '--dataflow', dfA, '--status', '5xx']);
    expect(text.stdout).toMatch(/HTTP 503 {2}3 attempts: .* {2}replayed \d{4}-\d\d-\d\dT/);
    const again = await runCli(['deadletters', 'replay', '--dataflow', dfA, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ replayed: 1, replays: [{ exportId: letters[1]!.exportId }], alreadyReplayed: [letters[0]!.exportId, letters[2]!.exportId] });
  });
});
