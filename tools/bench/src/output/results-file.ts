import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WrittenResults {
  readonly path: string;
  readonly latestPath: string;
}

/** `2025-01-31T12-00-00Z`: sortable, and valid in a file name everywhere. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
}

/** Writes `<suite>-<timestamp>.json` and replaces `latest-<suite>.json` in one rename. */
export async function writeResults(outDir: string, suite: string, startedAt: Date, results: unknown): Promise<WrittenResults> {
  await mkdir(outDir, { recursive: true });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  const path = join(outDir, `${suite}-${fileTimestamp(startedAt)}.json`);
  const latestPath = join(outDir, `latest-${suite}.json`);
  await writeFile(path, text);
  const partial = `${latestPath}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, latestPath);
  return { path, latestPath };
}
