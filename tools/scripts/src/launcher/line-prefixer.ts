import type { Readable, Writable } from 'node:stream';

/** Copies `source` to `target` line by line, each line led by `prefix`; a partial last line is flushed at the end. */
export function forwardLines(source: Readable, target: Writable, prefix: string): void {
  let pending = '';
  source.setEncoding('utf8');
  source.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) target.write(`${prefix}${line}\n`);
  });
  source.on('end', () => {
    if (pending) target.write(`${prefix}${pending}\n`);
    pending = '';
  });
}
