import { copyFileSync, existsSync, openSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_FILE_NAME } from './lmdb-data-file.ts';
import { openLmdbEngine } from './lmdb-engine.ts';
import {
  EngineClosedError,
  InvalidAppendError,
  MaxAppendEventSizeExceededError,
  MaxAppendSizeExceededError,
  StoreDataDamagedError,
} from './errors.ts';
import { DEFAULT_MAX_APPEND_SIZE } from './append-limits.ts';
import type { TempDir } from './testing/fixtures.ts';
import { allEvents, capturingLogger, proposed, proposedMany, revisionsRead, setMetadata, tempDir, uniqueStream } from './testing/fixtures.ts';
import { bytesNeeded, openEnvironment } from './lmdb-file-checks.ts';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

async function storeWithEvents(count: number, eventBytes = 200): Promise<string> {
  const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
  for (let index = 0; index < count; index += 50) {
    const batch = Array.from({ length: Math.min(50, count - index) }, () => proposed({ data: randomBytes(eventBytes) }));
    await engine.append(uniqueStream(), 'any', batch);
  }
  await engine.close();
  return join(dir.path, DATA_FILE_NAME);
}

function overwrite(file: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('append limits', () => {
  it("rejects an append over EventStoreDB's default MaxAppendSize of 1 MiB and writes nothing", async () => {
    const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
    const half = () => proposed({ data: new Uint8Array(DEFAULT_MAX_APPEND_SIZE / 2) });
    await expect(engine.append('big', 'any', [half(), half()])).rejects.toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(engine.append('big', 'any', [proposed({ data: new Uint8Array(DEFAULT_MAX_APPEND_SIZE - 100) })])).resolves.toMatchObject({ kind: 'success' });
    expect(allEvents(engine)).toHaveLength(1);
    await engine.close();
  });

  it('takes both limits as options and reports which one was exceeded', async () => {
    const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger, maxAppendSize: 16 * 1024 * 1024, maxEventSize: 1_000 });
    const rejection = engine.append('s', 'any', [proposed(), proposed({ data: new Uint8Array(2_000) })]);
    await expect(rejection).rejects.toBeInstanceOf(MaxAppendEventSizeExceededError);
    await expect(rejection).rejects.toMatchObject({ type: 'max_append_event_size_exceeded', maxAppendEventSize: 1_000 });
    await expect(engine.append('s', 'any', [proposed({ data: new Uint8Array(3 * 1024 * 1024) })])).rejects.toMatchObject({ type: 'max_append_event_size_exceeded' });
    await engine.close();
  });

  it('rejects empty or oversized stream ids and event ids', async () => {
    const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
    await expect(engine.append('', 'any', [proposed()])).rejects.toBeInstanceOf(InvalidAppendError);
    await expect(engine.append('x'.repeat(2_000), 'any', [proposed()])).rejects.toBeInstanceOf(InvalidAppendError);
    await expect(engine.append('s', 'any', [proposed({ id: '' })])).rejects.toBeInstanceOf(InvalidAppendError);
    await expect(engine.append('s', 'any', [proposed()])).resolves.toMatchObject({ kind: 'success' });
    await engine.close();
  });
});

describe('lifecycle', () => {
  it('refuses work after close, and close waits for appends in flight', async () => {
    const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
    const inFlight = Promise.all(Array.from({ length: 10 }, () => engine.append('s', 'any', [proposed()])));
    await engine.close();
    expect((await inFlight).every((outcome) => outcome.kind === 'success')).toBe(true);
    await expect(engine.append('s', 'any', [proposed()])).rejects.toBeInstanceOf(EngineClosedError);
    expect(() => engine.readAll({ direction: 'forwards', from: 'start', maxCount: 1n })).toThrow(EngineClosedError);

    const reopened = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
    expect(reopened.currentRevision('s')).toBe(9n);
    await reopened.close();
  });

  it('creates the data directory and logs what it opened', async () => {
    const { logger, lines } = capturingLogger();
    const nested = join(dir.path, 'a', 'b');
    const engine = await openLmdbEngine({ dataDir: nested, logger });
    await engine.close();
    expect(existsSync(join(nested, DATA_FILE_NAME))).toBe(true);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'info', message: 'store opened', dataDir: nested, headPosition: 0 }));
  });
});

describe('group commit', () => {
  it('fails an operation that throws inside the transaction alone: the operations batched with it are written', async () => {
    const engine = await openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger });
    const throwing = proposed();
    Object.defineProperty(throwing, 'contentType', {
      get() {
        throw new Error('cannot read the content type');
      },
    });
    const [before, failed, after] = await Promise.allSettled([
      engine.append('batched-a', 'any', [proposed()]),
      engine.append('batched-b', 'any', [proposed(), throwing]),
      engine.append('batched-c', 'any', [proposed()]),
    ]);
    expect(before).toMatchObject({ status: 'fulfilled', value: { kind: 'success', position: 1n } });
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'cannot read the content type' } });
    expect(after).toMatchObject({ status: 'fulfilled', value: { kind: 'success', position: 2n } });
    expect(allEvents(engine).map((event) => [event.streamId, event.position])).toEqual([
      ['batched-a', 1n],
      ['batched-c', 2n],
    ]);
    expect(engine.currentRevision('batched-b')).toBe('no_stream');
    await engine.close();
  });
});

describe('a damaged data file', () => {
  it('is refused on open with an error and a log line naming the file, and left untouched', async () => {
    const file = await storeWithEvents(20);
    overwrite(file, 0, randomBytes(3 * 4096));
    const sizeBefore = statSync(file).size;
    const { logger, lines } = capturingLogger();

    const opening = openLmdbEngine({ dataDir: dir.path, logger });
    await expect(opening).rejects.toBeInstanceOf(StoreDataDamagedError);
    await expect(opening).rejects.toThrow(file);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'error', message: 'store data file is damaged', file }));
    expect(statSync(file).size).toBe(sizeBefore);
    // Asking again gives the same clear answer rather than a crash.
    await expect(openLmdbEngine({ dataDir: dir.path, logger })).rejects.toBeInstanceOf(StoreDataDamagedError);
  });

  it('is refused when truncated', async () => {
    const file = await storeWithEvents(2_000, 500);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await expect(openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger })).rejects.toThrow(/truncated/);
  });

  it('is not refused when LMDB left it shorter than its last page number, and is when cut short', async () => {
    // Removing hidden events frees pages in the transaction that allocated them; LMDB does not
    // write those, so the file of a running store (what a kill -9 leaves) can end before them.
    // Whether the last pages are such pages depends on the B-tree layout (random ids), so it is
    // tried a few times, each on a fresh file: once a file's layout misses, more streams in it
    // usually miss too (it once missed ten times in a row that way).
    const events = (count: number) => Array.from({ length: count }, () => proposed({ data: new Uint8Array(100) }));
    const copy = tempDir();
    const file = join(copy.path, DATA_FILE_NAME);
    const isShort = async () => {
      const root = openEnvironment(file, true);
      const needed = bytesNeeded(root);
      await root.close();
      return needed > statSync(file).size;
    };
    const sources: TempDir[] = [];
    try {
      let stream = '';
      for (let attempt = 0; attempt < 10 && !(stream !== '' && (await isShort())); attempt++) {
        const source = tempDir();
        sources.push(source);
        const engine = await openLmdbEngine({ dataDir: source.path, logger: capturingLogger().logger });
        try {
          stream = uniqueStream('long');
          for (let done = 0; done < 2_500; done += 500) await engine.append(stream, 'any', events(500));
          await setMetadata(engine, stream, { $maxCount: 1 });
          await engine.append(stream, 'any', events(1));
          copyFileSync(join(source.path, DATA_FILE_NAME), file);
        } finally {
          await engine.close();
        }
      }
      expect(await isShort()).toBe(true);

      const reopened = await openLmdbEngine({ dataDir: copy.path, logger: capturingLogger().logger });
      expect(revisionsRead(reopened, stream)).toEqual([2_500n]);
      await reopened.close();
      truncateSync(file, Math.floor(statSync(file).size / 2));
      await expect(openLmdbEngine({ dataDir: copy.path, logger: capturingLogger().logger })).rejects.toThrow(/truncated/);
    } finally {
      copy.remove();
      for (const source of sources) source.remove();
    }
  }, 60_000);

  it('is refused when emptied', async () => {
    const file = await storeWithEvents(5);
    writeFileSync(file, '');
    await expect(openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger })).rejects.toThrow(/0 bytes/);
  });

  it('is moved aside, and the store starts empty, only when asked', async () => {
    const file = await storeWithEvents(20);
    overwrite(file, 0, randomBytes(3 * 4096));
    const { logger, lines } = capturingLogger();

    const engine = await openLmdbEngine({ dataDir: dir.path, logger, onDamagedFile: 'move-aside' });
    expect(engine.headPosition()).toBe(-1n);
    await expect(engine.append('fresh', 'no_stream', proposedMany(2))).resolves.toMatchObject({ kind: 'success' });
    await engine.close();

    const movedAside = readdirSync(dir.path).filter((name) => name.startsWith(`${DATA_FILE_NAME}.damaged-`));
    expect(movedAside).toHaveLength(1);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'error', file, movedTo: join(dir.path, movedAside[0]!) }));
  });
});
