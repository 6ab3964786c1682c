import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Appends one line to the file (creating it and its directory when missing). */
export async function appendLogLine(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${line}\n`, 'utf8');
}
