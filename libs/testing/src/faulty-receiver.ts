import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Shares of requests answered with each fault (each 0-1, their sum at most 1); the rest get 200. */
export interface FaultRates {
  /** 500. */
  readonly serverError: number;
  /** 429 with `Retry-After: <retryAfterSeconds>`. */
  readonly tooManyRequests: number;
  /** 200, but only after `slowMs` (longer than the client's timeout, so the client has given up). */
  readonly slow: number;
  /** The connection destroyed without an answer. */
  readonly drop: number;
}

export const noFaults: FaultRates = { serverError: 0, tooManyRequests: 0, slow: 0, drop: 0 };

/** What the receiver did with a request; only `accepted` (a 200 actually written) means the endpoint took it. */
export type FaultOutcome = 'accepted' | 'server-error' | 'too-many-requests' | 'slow-abandoned' | 'dropped';

export interface FaultyReceiverOptions {
  /** Seed of the fault draws: the same seed and request order give the same answers. */
  readonly seed: number;
  readonly rates?: Partial<FaultRates>;
  /** @defaultValue 3000 (the delivery timeout is 2000) */
  readonly slowMs?: number;
  /** @defaultValue 1 */
  readonly retryAfterSeconds?: number;
  /** The profile a request is about. @defaultValue the first `crmid` of the document's identity map */
  readonly profileIdOf?: (body: unknown) => string;
}

/** One request and what the receiver answered, recorded when the answer was settled (answer order). */
export interface FaultyRequestRecord {
  readonly path: string;
  readonly exportId: string;
  readonly sequence: number;
  readonly profileId: string;
  readonly rawBody: string;
  readonly outcome: FaultOutcome;
  /** The status written, when one was. */
  readonly status: number | undefined;
  readonly receivedAt: number;
  readonly settledAt: number;
}

export interface FaultyReceiver {
  readonly url: string;
  readonly port: number;
  readonly seed: number;
  /** Every request so far, in the order their answers were settled. */
  readonly records: readonly FaultyRequestRecord[];
  /** The records the endpoint accepted (answered 200), in order. */
  accepted(): FaultyRequestRecord[];
  /** Changes the fault rates of later requests (e.g. `noFaults` to let a backlog drain). */
  setRates(rates: Partial<FaultRates>): void;
  /** Counts of each outcome so far. */
  counts(): Record<FaultOutcome, number>;
  close(): Promise<void>;
}

const crmidOf = (body: unknown): string => {
  const map = (body as { identityMap?: { crmid?: { id?: unknown }[] } } | undefined)?.identityMap;
  const id = map?.crmid?.[0]?.id;
  return typeof id === 'string' ? id : '';
};

/** mulberry32: a tiny seeded generator, enough for reproducible fault draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Fault = Exclude<FaultOutcome, 'accepted' | 'slow-abandoned'> | 'slow' | 'ok';

function drawFault(random: () => number, rates: FaultRates): Fault {
  let draw = random();
  for (const [fault, rate] of [
    ['server-error', rates.serverError],
    ['too-many-requests', rates.tooManyRequests],
    ['slow', rates.slow],
    ['dropped', rates.drop],
  ] as const) {
    if (draw < rate) return fault;
    draw -= rate;
  }
  return 'ok';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An HTTP endpoint on 127.0.0.1 that answers like an unreliable partner: a seeded random mix of
 * 200, 500, 429 with Retry-After, answers slower than the client waits, and dropped connections.
 * It records what it actually accepted: a 200 counts only once written to a live connection.
 */
export async function startFaultyReceiver(options: FaultyReceiverOptions): Promise<FaultyReceiver> {
  const random = seededRandom(options.seed);
  let rates: FaultRates = { ...noFaults, ...options.rates };
  const slowMs = options.slowMs ?? 3_000;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const profileIdOf = options.profileIdOf ?? crmidOf;
  const records: FaultyRequestRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const base = {
      path: new URL(incoming.url ?? '/', 'http://receiver').pathname,
      exportId: String(incoming.headers['x-export-id'] ?? ''),
      sequence: Number(incoming.headers['x-export-sequence']),
      profileId: profileIdOf(parseJson(rawBody)),
      rawBody,
      receivedAt: Date.now(),
    };
    const settle = (outcome: FaultOutcome, status?: number) => records.push({ ...base, outcome, status, settledAt: Date.now() });
    const answer = (status: number, headers: Record<string, string> = {}): boolean => {
      if (outgoing.destroyed || incoming.socket.destroyed) return false;
      outgoing.writeHead(status, headers).end();
      return true;
    };
    const fault = drawFault(random, rates);
    switch (fault) {
      case 'ok':
        if (answer(200)) settle('accepted', 200);
        else settle('slow-abandoned');
        return;
      case 'server-error':
        answer(500);
        return settle('server-error', 500);
      case 'too-many-requests':
        answer(429, { 'retry-after': retryAfter });
        return settle('too-many-requests', 429);
      case 'dropped':
        incoming.socket.destroy();
        return settle('dropped');
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          // Written only if the client still waits: then the endpoint did accept it.
          if (answer(200)) settle('accepted', 200);
          else settle('slow-abandoned');
        }, slowMs);
        timers.add(timer);
        return;
      }
      default: {
        const unexpected: never = fault;
        throw new Error(`unknown fault ${String(unexpected)}`);
      }
    }
  };

  const server = http.createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch(() => incoming.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seed: options.seed,
    records,
    accepted: () => records.filter((record) => record.outcome === 'accepted'),
    setRates: (next) => {
      rates = { ...rates, ...next };
    },
    counts: () => {
      const counts: Record<FaultOutcome, number> = { accepted: 0, 'server-error': 0, 'too-many-requests': 0, 'slow-abandoned': 0, dropped: 0 };
      for (const record of records) counts[record.outcome]++;
      return counts;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
