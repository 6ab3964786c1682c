import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bench's export receiver, run as its own process (forked with an IPC channel by
 * receiver.ts) so neither the bench's appends nor its `got` ceiling loop share its event loop.
 * It answers 200 with an empty body as soon as a body has arrived, and reports every receipt to
 * the parent in batches: the X-Export-Id, the epoch time (sub-millisecond) the body had arrived,
 * and the body size. It parses nothing: a receiver that does as little as possible per request
 * is the ceiling the pipeline is compared with.
 */

export type ReceiverMessage =
  | { readonly kind: 'listening'; readonly port: number }
  | { readonly kind: 'receipts'; readonly exportIds: readonly string[]; readonly receivedAt: readonly number[]; readonly bodyBytes: number };

const flushEveryMs = 20;
const epochMs = () => performance.timeOrigin + performance.now();

let exportIds: string[] = [];
let receivedAt: number[] = [];
let bodyBytes = 0;

const send = (message: ReceiverMessage) => process.send?.(message);

const flush = () => {
  if (exportIds.length === 0) return;
  send({ kind: 'receipts', exportIds, receivedAt, bodyBytes });
  exportIds = [];
  receivedAt = [];
  bodyBytes = 0;
};

const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (request, response) => {
  let bytes = 0;
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    const at = epochMs();
    const exportId = request.headers['x-export-id'];
    exportIds.push(typeof exportId === 'string' ? exportId : '');
    receivedAt.push(at);
    bodyBytes += bytes;
    response.writeHead(200, { 'content-length': '0' });
    response.end();
  });
});
server.maxRequestsPerSocket = 0;

setInterval(flush, flushEveryMs);
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

server.listen(0, '127.0.0.1', () => send({ kind: 'listening', port: (server.address() as AddressInfo).port }));
