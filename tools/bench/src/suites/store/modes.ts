import { EventStoreDBClient } from '@eventstore/db-client';
import { startStoreProcess } from '@spillway/testing';
import { measurePhase } from '../../measure/phase.ts';
import { sampleProcess } from '../../measure/process-stats.ts';
import type { PhaseUsage } from '../../measure/process-stats.ts';
import type { BenchContext } from '../../suite.ts';
import { measureBatchedAppends, measureSingleAppends, warmUp } from './appends.ts';
import type { AppendFigures } from './appends.ts';
import { measureReadAllInPages, measureReadAllWholeLog } from './reads.ts';
import type { ReadAllFigures } from './reads.ts';
import { measureCatchUp } from './subscriptions.ts';
import type { CatchUpFigures } from './subscriptions.ts';
import type { StoreWorkload } from './workload.ts';

export type StorageMode = 'durable' | 'inMemory';

/** A phase's figures plus what the store and the bench process spent on it. */
export type Phase<T> = T & {
  readonly usage: Readonly<Record<'store' | 'bench', PhaseUsage>>;
  /** Cores busy outside the store and the bench during the phase. */
  readonly otherCores: number;
};

export interface ModeResult {
  readonly mode: StorageMode;
  readonly singleAppends: Phase<AppendFigures>;
  readonly batchedAppends: Phase<AppendFigures>;
  readonly readAllWholeLog: Phase<ReadAllFigures>;
  readonly readAllPages: Phase<ReadAllFigures>;
  readonly catchUp: Phase<CatchUpFigures>;
  readonly filteredCatchUp: Phase<CatchUpFigures>;
  readonly store: { readonly peakRssBytes: number; readonly endRssBytes: number; readonly cpuSeconds: number };
  readonly bench: { readonly peakRssBytes: number };
}

const catchUpTimeoutMs = 120_000;

/** Starts a store process in `mode`, runs every phase against it through the real client, stops it. */
export async function runStorageMode(mode: StorageMode, workload: StoreWorkload, context: BenchContext): Promise<ModeResult> {
  const store = await startStoreProcess({ inMemory: mode === 'inMemory' });
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const watched = { store: store.pid, bench: process.pid };
  const phase = async <T extends object>(name: string, work: () => Promise<T>): Promise<Phase<T>> => {
    const measured = await measurePhase(watched, work);
    context.progress(`${mode}: ${name} done in ${(measured.wallMs / 1000).toFixed(1)} s`);
    return { ...measured.result, usage: { store: measured.usage['store']!, bench: measured.usage['bench']! }, otherCores: measured.otherCores };
  };
  try {
    context.progress(`${mode}: store pid ${store.pid} on ${store.connectionString}${store.dataDir ? ` data ${store.dataDir}` : ''}`);
    await warmUp(client, workload);
    const singleAppends = await phase('single-event appends', () => measureSingleAppends(client, workload));
    const batchedAppends = await phase('batched appends', () => measureBatchedAppends(client, workload));
    const readAllWholeLog = await phase('readAll (whole log)', () => measureReadAllWholeLog(client));
    const readAllPages = await phase('readAll (pages)', () => measureReadAllInPages(client, workload.readPageSize));
    const log = { logEvents: readAllWholeLog.events, selectedEvents: readAllWholeLog.selectedEvents, timeoutMs: catchUpTimeoutMs };
    const catchUp = await phase('catch-up subscription', () => measureCatchUp(client, { ...log, filtered: false }));
    const filteredCatchUp = await phase('filtered catch-up subscription', () => measureCatchUp(client, { ...log, filtered: true }));
    const [storeAtEnd, benchAtEnd] = await Promise.all([sampleProcess(store.pid), sampleProcess(process.pid)]);
    return {
      mode,
      singleAppends,
      batchedAppends,
      readAllWholeLog,
      readAllPages,
      catchUp,
      filteredCatchUp,
      store: { peakRssBytes: storeAtEnd.peakRssBytes, endRssBytes: storeAtEnd.rssBytes, cpuSeconds: storeAtEnd.cpuSeconds },
      bench: { peakRssBytes: benchAtEnd.peakRssBytes },
    };
  } finally {
    await client.dispose();
    await store.stop();
    await store.removeData();
  }
}
