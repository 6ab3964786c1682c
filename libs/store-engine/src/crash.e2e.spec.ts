import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from './engine.ts';
import { openLmdbEngine } from './lmdb-engine.ts';
import type { Acknowledged, CrashEventData } from './testing/crash-writer.ts';
import { allEvents, capturingLogger, proposed, streamEvents, tempDir } from './testing/fixtures.ts';

const writerScript = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));

/** Starts the writer, lets it run for a random time after its first acknowledgement, then kills it with SIGKILL. */
async function runAndKill(dataDir: string, maxCount?: number): Promise<Acknowledged[]> {
  const args = maxCount === undefined ? [] : [String(maxCount)];
  const child = spawn(process.execPath, [writerScript, dataDir, '32', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve();
    });
    void exited.then(() => reject(new Error(`writer exited before acknowledging anything: ${stderr}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 700));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  // The last line may have been cut by the kill; only whole lines are acknowledgements.
  return stdout.split('\n').slice(0, -1).map((line) => JSON.parse(line) as Acknowledged);
}

function dataOf(event: RecordedEvent): CrashEventData {
  const text = Buffer.from(event.data).toString('utf8');
  return JSON.parse(text.slice(0, text.indexOf('\n'))) as CrashEventData;
}

describe('kill -9 during appends', () => {
  it('keeps every acknowledged append, in place and in order, and no append in part', async () => {
    for (let round = 0; round < 4; round++) {
      const dir = tempDir('store-engine-crash-');
      try {
        const acknowledged = await runAndKill(dir.path);
        expect(acknowledged.length).toBeGreaterThan(0);

        const { logger } = capturingLogger();
        const engine = await openLmdbEngine({ dataDir: dir.path, logger });
        const events = allEvents(engine);
        const byId = new Map(events.map((event) => [event.id, event]));

        for (const ack of acknowledged) {
          const firstRevision = BigInt(ack.nextRevision) - BigInt(ack.ids.length) + 1n;
          ack.ids.forEach((id, index) => {
            expect(byId.get(id), `acknowledged event ${id}`).toMatchObject({ streamId: ack.stream, revision: firstRevision + BigInt(index) });
          });
          expect(byId.get(ack.ids.at(-1)!)?.position).toBe(BigInt(ack.position));
        }

        // $all is strictly ordered and every stream's revisions run 0, 1, 2, ... without gaps.
        const nextRevision = new Map<string, bigint>();
        events.forEach((event, index) => {
          if (index > 0) expect(event.position).toBeGreaterThan(events[index - 1]!.position);
          expect(event.revision).toBe(nextRevision.get(event.streamId) ?? 0n);
          nextRevision.set(event.streamId, event.revision + 1n);
        });

        // Each append, acknowledged or not, is there whole and contiguous, or not at all.
        for (let index = 0; index < events.length; ) {
          const first = dataOf(events[index]!);
          expect(first.index).toBe(0);
          const group = events.slice(index, index + first.of);
          expect(group.map((event) => dataOf(event))).toEqual(group.map((_, at) => ({ append: first.append, index: at, of: first.of })));
          expect(new Set(group.map((event) => event.streamId)).size).toBe(1);
          index += first.of;
        }

        for (const [stream, next] of nextRevision) expect(engine.currentRevision(stream)).toBe(next - 1n);

        // A writer that lost its acknowledgements sends again: each append is recognised by its
        // event ids (expectation any) and nothing is written twice.
        for (const ack of acknowledged) {
          const again = await engine.append(ack.stream, 'any', ack.ids.map((id) => proposed({ id })));
          expect(again, `re-sent append ending at ${ack.position}`).toEqual({ kind: 'success', nextRevision: BigInt(ack.nextRevision), position: BigInt(ack.position) });
        }
        expect(allEvents(engine)).toHaveLength(events.length);
        const after = await engine.append('after-restart', 'any', [proposed()]);
        expect(after).toMatchObject({ kind: 'success' });
        await engine.close();
      } finally {
        dir.remove();
      }
    }
  });

  it('with $maxCount on every stream, reopens with each stream its newest events, contiguous, and nothing else kept', async () => {
    const maxCount = 3;
    for (let round = 0; round < 2; round++) {
      const dir = tempDir('store-engine-crash-maxcount-');
      try {
        const acknowledged = await runAndKill(dir.path, maxCount);
        expect(acknowledged.length).toBeGreaterThan(0);
        const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
        const newestAcknowledged = new Map<string, bigint>();
        for (const ack of acknowledged) newestAcknowledged.set(ack.stream, BigInt(ack.nextRevision));

        for (const [stream, acknowledgedRevision] of newestAcknowledged) {
          const current = engine.currentRevision(stream) as bigint;
          expect(current).toBeGreaterThanOrEqual(acknowledgedRevision);
          const kept = streamEvents(engine, stream).map((event) => event.revision);
          expect(kept).toEqual([current - 2n, current - 1n, current].filter((revision) => revision >= 0n));
        }
        const events = allEvents(engine);
        events.forEach((event, index) => index > 0 && expect(event.position).toBeGreaterThan(events[index - 1]!.position));
        const streams = new Set(events.filter((event) => !event.streamId.startsWith('$$')).map((event) => event.streamId));
        // hidden events are gone from $all too: each stream keeps its newest 3, each metadata stream its newest 1
        expect(events.length).toBe(streams.size * maxCount + streams.size);
        expect(await engine.append('after-restart', 'any', [proposed()])).toMatchObject({ kind: 'success' });
        await engine.close();
      } finally {
        dir.remove();
      }
    }
  });
});
