import type { EventStoreDBClient } from '@eventstore/db-client';
import { LatencyRecorder } from '../../measure/percentiles.ts';
import type { LatencySummary } from '../../measure/percentiles.ts';
import { perSecond } from '../../measure/timing.ts';
import { runWorkers } from '../../measure/workers.ts';
import type { WorkerBudget } from '../../measure/workers.ts';
import { profileChangeEvent, streamName } from './workload.ts';
import type { StoreWorkload } from './workload.ts';

export interface AppendFigures {
  readonly writers: number;
  readonly eventsPerAppend: number;
  readonly appends: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly appendsPerSecond: number;
  readonly eventsPerSecond: number;
  /** From the call to appendToStream to its acknowledgement. */
  readonly latency: LatencySummary;
}

export async function warmUp(client: EventStoreDBClient, workload: StoreWorkload): Promise<void> {
  await runWorkers(workload.singleWriters, { durationMs: 30_000, maxOperations: workload.warmupAppends }, async (writer, sequence) => {
    await client.appendToStream(streamName('warmup', writer, sequence), profileChangeEvent(writer, sequence));
  });
}

/** One event per append, `singleWriters` appends in flight, each awaited until acknowledged. */
export function measureSingleAppends(client: EventStoreDBClient, workload: StoreWorkload): Promise<AppendFigures> {
  return measureAppends(client, workload.singleWriters, 1, workload.singleAppends, 'single');
}

/** `batchSize` events per append to one stream, `batchWriters` appends in flight. */
export function measureBatchedAppends(client: EventStoreDBClient, workload: StoreWorkload): Promise<AppendFigures> {
  return measureAppends(client, workload.batchWriters, workload.batchSize, workload.batches, 'batch');
}

async function measureAppends(
  client: EventStoreDBClient,
  writers: number,
  eventsPerAppend: number,
  budget: WorkerBudget,
  phase: 'single' | 'batch',
): Promise<AppendFigures> {
  const latency = new LatencyRecorder();
  const run = await runWorkers(writers, budget, async (writer, sequence) => {
    // Events are built per append and dropped after it: the bench never holds what it wrote.
    const events = Array.from({ length: eventsPerAppend }, (_, index) => profileChangeEvent(writer, sequence * eventsPerAppend + index));
    const startedAt = performance.now();
    await client.appendToStream(streamName(phase, writer, sequence), events);
    latency.record(performance.now() - startedAt);
  });
  const events = run.operations * eventsPerAppend;
  return {
    writers,
    eventsPerAppend,
    appends: run.operations,
    events,
    elapsedMs: run.elapsedMs,
    appendsPerSecond: perSecond(run.operations, run.elapsedMs),
    eventsPerSecond: perSecond(events, run.elapsedMs),
    latency: latency.summary(),
  };
}
