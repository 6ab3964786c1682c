import { randomUUID } from 'node:crypto';
import { buildExportHeaders, buildExportUrl, createHttpClient, deliveryTargetSchema } from '@spillway/delivery';
import { runWorkers } from '../../measure/workers.ts';
import { benchConfiguration } from './configuration.ts';

export interface CeilingFigures {
  readonly concurrency: number;
  readonly requests: number;
  /** Answered with a 2xx. */
  readonly ok: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly requestsPerSecond: number;
  readonly bodyBytes: number;
}

/**
 * The ceiling: a bare `got` loop in the bench process against the same receiver, with the
 * agent's HTTP client (`createHttpClient`: keep-alive pool of `concurrency` sockets, no got
 * retries) and as many loops as the agent runs requests per destination, each POSTing an
 * export-sized document with the headers the agent sends. Nothing else: no store, no decision,
 * no outcome recorded, which is the point of the comparison.
 */
export async function measureCeiling(receiverUrl: string, concurrency: number, durationMs: number): Promise<CeilingFigures> {
  const target = deliveryTargetSchema.parse({
    endpoint: `${receiverUrl}${benchConfiguration.exportPath}`,
    queryParams: { source: 'spillway-bench' },
    headers: { 'x-bench': 'ceiling' },
  });
  const url = buildExportUrl(target);
  const body = JSON.stringify(exportSizedDocument());
  const client = createHttpClient({ maxSockets: concurrency });
  let ok = 0;
  let failed = 0;
  try {
    const run = await runWorkers(concurrency, { durationMs, maxOperations: Number.MAX_SAFE_INTEGER }, async (_worker, sequence) => {
      const headers = buildExportHeaders({ exportId: randomUUID(), sequence }, target, undefined);
      try {
        const response = await client.got.post(url, { headers, body, timeout: { request: target.timeoutMs } });
        if (response.statusCode >= 200 && response.statusCode <= 299) ok++;
        else failed++;
      } catch {
        failed++;
      }
    });
    return {
      concurrency,
      requests: run.operations,
      ok,
      failed,
      elapsedMs: run.elapsedMs,
      requestsPerSecond: run.elapsedMs > 0 ? ok / (run.elapsedMs / 1000) : 0,
      bodyBytes: Buffer.byteLength(body),
    };
  } finally {
    client.close();
  }
}

/** The shape and size of a bench export (3 attributes, the mapped audience with name and timestamps). */
function exportSizedDocument() {
  const at = Date.now();
  return {
    person: { name: { firstName: 'First-t1234', lastName: 'Last-7' } },
    personalEmail: { address: 't1234.7@bench.example' },
    segmentMembership: {
      ups: {
        [benchConfiguration.audienceId]: {
          lastQualificationTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          status: 'realized',
          createdAt: at,
          updatedAt: at,
          mappingCreatedAt: at,
          mappingUpdatedAt: at,
          name: 'Bench gold members',
        },
      },
    },
    identityMap: {},
  };
}
