/**
 * Calls `onLines` with the complete lines (without their newline) of each chunk a child's output
 * stream delivers; a line split across chunks comes whole with the chunk that ends it.
 */
export function onOutputLines(stream: NodeJS.ReadableStream, onLines: (lines: readonly string[]) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) onLines(lines);
  });
}
