import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The columns the suite's file has, and how the import maps them. */
export const membersFileColumns = ['email', 'first_name', 'age'] as const;

/** Row `index` of the generated file: a unique identity and two attribute cells. */
export function memberRow(index: number): string {
  return `member-${index}@bench.example,First${index},${20 + (index % 60)}`;
}

/**
 * Writes a CSV of `rows` members (rows 0 .. rows-1) to `path`, streamed so a file of millions of
 * rows never sits in memory. Resolves with its size in bytes.
 */
export async function writeMembersFile(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${membersFileColumns.join(',')}\n`);
  const chunkRows = 1_000;
  for (let start = 0; start < rows; start += chunkRows) {
    const lines: string[] = [];
    for (let index = start; index < Math.min(rows, start + chunkRows); index++) lines.push(memberRow(index));
    await write(`${lines.join('\n')}\n`);
  }
  out.end();
  await once(out, 'close');
  return bytes;
}
