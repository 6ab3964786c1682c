import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../cli/errors.ts';
import { CsvRecordSplitter, type CsvRecord } from './csv/csv-records.ts';

/** Size and SHA-256 of the file, read once in chunks (never whole). */
export async function fingerprintFile(path: string): Promise<{ readonly size: number; readonly sha256: string }> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path} is not a file`, 'audiences import');
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, 'audiences import');
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return { size, sha256: hash.digest('hex') };
}

/** The CSV records of a file, streamed; `bytesRead()` tells how far the reading got (for progress). */
export function csvRecordsOf(path: string): { readonly records: AsyncGenerator<CsvRecord>; readonly bytesRead: () => number } {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  async function* records(): AsyncGenerator<CsvRecord> {
    const splitter = new CsvRecordSplitter();
    try {
      for await (const chunk of stream) yield* splitter.push(chunk as string);
      yield* splitter.end();
    } finally {
      stream.destroy();
    }
  }
  return { records: records(), bytesRead: () => stream.bytesRead };
}
