import type { Writable } from 'node:stream';

type WriteCallback = (error?: Error | null) => void;

/**
 * grpc-js server calls are object-mode Writables without `_writev`: a message goes to the HTTP/2
 * stream only once the previous one has reached the socket, so every message cost its own
 * `writev` syscall and its own HTTP/2 DATA frame, on the server and for the client reading them.
 * With this, the messages that queued up behind the one in flight are handed to the HTTP/2 stream
 * in one go, which puts them in shared DATA frames and socket writes. Order is kept; the batch's
 * callback fires once all of them are written (or with the first error). Used for reads and
 * subscriptions (a page of events) and BatchAppend (the acknowledgements of one commit).
 */
export function coalesceWrites(call: Writable): void {
  const writeOne = call._write.bind(call);
  call._writev = (chunks: { chunk: unknown; encoding: BufferEncoding }[], callback: WriteCallback) => {
    let pending = chunks.length;
    let failed = false;
    for (const { chunk, encoding } of chunks) {
      writeOne(chunk, encoding, (error?: Error | null) => {
        if (failed) return;
        if (error) {
          failed = true;
          callback(error);
          return;
        }
        pending -= 1;
        if (pending === 0) callback();
      });
    }
  };
}
