import { createLogger } from '@spillway/runtime';
import { refusedUrl, startHttpReceiver, type HttpReceiver, type ReceiverAnswer } from '@spillway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithRetry } from './deliver-with-retry.ts';
import { deliveryTargetSchema, type ExportRequest } from './target.ts';

const logger = createLogger({ service: 'delivery-test', write: () => undefined });
const request: ExportRequest = { exportId: 'exp-1', sequence: 3, dataflowId: 'df-1', profileId: 'p-1', destinationId: 'dest-1', document: { a: 1 } };

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** Answers in turn from the script, then keeps answering with its last entry. */
async function receiverAnswering(...script: ReceiverAnswer[]): Promise<HttpReceiver> {
  receiver = await startHttpReceiver({ respond: (received) => script[Math.min(receiver!.requests.indexOf(received), script.length - 1)]! });
  return receiver;
}

/** Records the delays asked for without waiting them, so the suite stays fast. */
function recordingSleep() {
  const asked: number[] = [];
  return { asked, sleep: async (ms: number) => void asked.push(ms) };
}

describe('deliverWithRetry', () => {
  it('retries retryable failures until delivered, sending the same export id each time', async () => {
    const endpoint = await receiverAnswering({ status: 503 }, { status: 500 }, { status: 200 });
    const { asked, sleep } = recordingSleep();

    const result = await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: endpoint.url }), {
      logger,
      sleep,
      baseDelayMs: 100,
      random: () => 0.5,
    });

    expect(result).toMatchObject({ attempts: 3, stoppedBecause: 'delivered', outcome: { kind: 'delivered', status: 200 } });
    expect(asked).toEqual([50, 100]);
    expect(endpoint.requests.map((received) => [received.headers['x-export-id'], received.headers['x-export-sequence']])).toEqual([
      ['exp-1', '3'],
      ['exp-1', '3'],
      ['exp-1', '3'],
    ]);
  });

  it('stops at the first non-retryable answer', async () => {
    const endpoint = await receiverAnswering({ status: 400 });
    const { asked, sleep } = recordingSleep();

    const result = await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: endpoint.url }), { logger, sleep });

    expect(result).toMatchObject({ attempts: 1, stoppedBecause: 'not-retryable', outcome: { status: 400 } });
    expect(asked).toEqual([]);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('gives up after the configured number of attempts', async () => {
    const endpoint = await receiverAnswering({ status: 500 });
    const { asked, sleep } = recordingSleep();

    const result = await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: endpoint.url }), { logger, sleep, attempts: 4 });

    expect(result).toMatchObject({ attempts: 4, stoppedBecause: 'attempts-exhausted', outcome: { status: 500, retryable: true } });
    expect(asked).toHaveLength(3);
    expect(endpoint.requests).toHaveLength(4);
  });

  it('waits what Retry-After asks for, up to the cap', async () => {
    const endpoint = await receiverAnswering(
      { status: 429, headers: { 'Retry-After': '2' } },
      { status: 503, headers: { 'Retry-After': '3600' } },
      { status: 204 },
    );
    const { asked, sleep } = recordingSleep();

    const result = await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: endpoint.url }), { logger, sleep, maxRetryAfterMs: 10_000 });

    expect(result).toMatchObject({ attempts: 3, stoppedBecause: 'delivered' });
    expect(asked).toEqual([2_000, 10_000]);
  });

  it('retries timeouts', async () => {
    const endpoint = await receiverAnswering({ status: 200, delayMs: 400 }, { status: 200 });
    const { sleep } = recordingSleep();

    const result = await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: endpoint.url, timeoutMs: 150 }), { logger, sleep });

    expect(result).toMatchObject({ attempts: 2, stoppedBecause: 'delivered' });
  });

  it('retries a refused connection, then gives up', async () => {
    const url = await refusedUrl();
    const { asked, sleep } = recordingSleep();

    const result = await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: url }), { logger, sleep });

    expect(result).toMatchObject({ attempts: 3, stoppedBecause: 'attempts-exhausted', outcome: { errorCode: 'ECONNREFUSED' } });
    expect(asked).toHaveLength(2);
  });

  it('sleeps for real by default', async () => {
    const endpoint = await receiverAnswering({ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 });
    const started = Date.now();

    await deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: endpoint.url }), { logger });

    expect(endpoint.requests).toHaveLength(2);
    expect(endpoint.requests[1]!.receivedAt - endpoint.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('stops at once when aborted, during a request or a backoff, without another attempt', async () => {
    const slow = await receiverAnswering({ status: 200, delayMs: 5_000 });
    const duringRequest = new AbortController();
    const inRequest = deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: slow.url }), { logger, signal: duringRequest.signal });
    await slow.waitForRequests(1);
    duringRequest.abort();
    await expect(inRequest).rejects.toMatchObject({ name: 'AbortError' });
    await slow.close();

    const failing = await receiverAnswering({ status: 503, headers: { 'Retry-After': '60' } });
    const duringBackoff = new AbortController();
    const inBackoff = deliverWithRetry(request, deliveryTargetSchema.parse({ endpoint: failing.url }), { logger, signal: duringBackoff.signal });
    await failing.waitForRequests(1);
    duringBackoff.abort();
    await expect(inBackoff).rejects.toMatchObject({ name: 'AbortError' });
    expect(failing.requests).toHaveLength(1);
  });
});
