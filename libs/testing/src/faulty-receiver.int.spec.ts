import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultyReceiver, type FaultRates, type FaultyReceiver } from './faulty-receiver.ts';

interface Answer {
  readonly status?: number;
  readonly retryAfter?: string | undefined;
  readonly error?: string;
}

/** One POST like the delivery agent's, giving up after `timeoutMs`. */
function post(url: string, sequence: number, timeoutMs = 500): Promise<Answer> {
  const body = JSON.stringify({ identityMap: { crmid: [{ id: 'p-1' }] }, n: sequence });
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-export-id': `e-${sequence}`, 'x-export-sequence': String(sequence) }, timeout: timeoutMs, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end(body);
  });
}

let receiver: FaultyReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const only = (fault: keyof FaultRates): Partial<FaultRates> => ({ [fault]: 1 });

describe('faulty receiver', () => {
  it('given only 200s, then it accepts and records export id, sequence, profile and body', async () => {
    receiver = await startFaultyReceiver({ seed: 1 });
    expect(await post(`${receiver.url}/x`, 3)).toEqual({ status: 200, retryAfter: undefined });
    expect(receiver.accepted()).toMatchObject([{ path: '/x', exportId: 'e-3', sequence: 3, profileId: 'p-1', outcome: 'accepted', status: 200 }]);
  });

  it('given each fault alone, then the client sees it and nothing is accepted', async () => {
    receiver = await startFaultyReceiver({ seed: 1, rates: only('serverError'), slowMs: 400 });
    expect(await post(receiver.url, 1)).toMatchObject({ status: 500 });
    receiver.setRates({ serverError: 0, tooManyRequests: 1 });
    expect(await post(receiver.url, 2)).toEqual({ status: 429, retryAfter: '1' });
    receiver.setRates({ tooManyRequests: 0, drop: 1 });
    expect(await post(receiver.url, 3)).toMatchObject({ error: 'ECONNRESET' });
    receiver.setRates({ drop: 0, slow: 1 });
    expect(await post(receiver.url, 4, 200)).toMatchObject({ error: 'timeout' });
    // The slow answer is due after the client gave up: recorded as abandoned, not accepted.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.records.map((record) => record.outcome)).toEqual(['server-error', 'too-many-requests', 'dropped', 'slow-abandoned']);
    expect(receiver.accepted()).toEqual([]);
  });

  it('given the same seed, then the same mix of answers comes in the same order', async () => {
    const rates = { serverError: 0.3, tooManyRequests: 0.2, drop: 0.2 };
    const run = async () => {
      const faulty = await startFaultyReceiver({ seed: 42, rates });
      for (let sequence = 0; sequence < 30; sequence++) await post(faulty.url, sequence);
      await faulty.close();
      return faulty.records.map((record) => record.outcome);
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['accepted', 'server-error', 'too-many-requests', 'dropped']));
  });
});
