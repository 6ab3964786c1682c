import { formatFigure, formatMebibytes, formatRatio, mebibyte } from '../../output/table.ts';
import type { Table } from '../../output/table.ts';
import type { ModeResult } from './modes.ts';
import type { StoreWorkload } from './workload.ts';

export interface FigureDefinition {
  readonly id: string;
  readonly label: string;
  /** Issue 2's target for the embedded store on the 2-core machine, where it sets one. */
  readonly target?: number;
  value(result: ModeResult): number;
}

/** Every figure the store suite reports, in table order; labels are what the table prints. */
export function figureDefinitions(workload: StoreWorkload): readonly FigureDefinition[] {
  return [
    { id: 'singleAppendsPerSecond', label: `single-event appends/s (${workload.singleWriters} writers, each acked)`, target: 5_000, value: (r) => r.singleAppends.appendsPerSecond },
    { id: 'singleAppendLatencyP50Ms', label: 'single-event append latency p50 (ms)', value: (r) => r.singleAppends.latency.p50Ms },
    { id: 'singleAppendLatencyP99Ms', label: 'single-event append latency p99 (ms)', value: (r) => r.singleAppends.latency.p99Ms },
    { id: 'batchedEventsPerSecond', label: `batched appends events/s (${workload.batchWriters} writers x ${workload.batchSize})`, target: 20_000, value: (r) => r.batchedAppends.eventsPerSecond },
    { id: 'readAllWholeLogEventsPerSecond', label: 'readAll events/s (one read of the whole log)', value: (r) => r.readAllWholeLog.eventsPerSecond },
    { id: 'readAllPagesEventsPerSecond', label: `readAll events/s (pages of ${workload.readPageSize})`, value: (r) => r.readAllPages.eventsPerSecond },
    { id: 'catchUpEventsPerSecond', label: 'catch-up subscribeToAll events/s', target: 50_000, value: (r) => r.catchUp.eventsPerSecond },
    { id: 'filteredCatchUpScannedPerSecond', label: 'filtered catch-up $all events/s (prefix, 10%)', value: (r) => r.filteredCatchUp.scannedEventsPerSecond },
    { id: 'filteredCatchUpDeliveredPerSecond', label: 'filtered catch-up delivered events/s', value: (r) => r.filteredCatchUp.eventsPerSecond },
    { id: 'storeRssPeakMiB', label: 'store RSS peak (MiB)', value: (r) => r.store.peakRssBytes / mebibyte },
    { id: 'storeRssEndMiB', label: 'store RSS at end (MiB)', value: (r) => r.store.endRssBytes / mebibyte },
    { id: 'storeCpuSeconds', label: 'store CPU (s)', value: (r) => r.store.cpuSeconds },
    { id: 'eventsInLog', label: 'events in the log', value: (r) => r.readAllWholeLog.events },
  ];
}

export interface ComparedFigure {
  readonly id: string;
  readonly label: string;
  readonly durable: number;
  readonly inMemory: number;
  /** durable / in-memory: below 1 for a rate means persistence costs that much. */
  readonly durableOverInMemory: number;
  readonly target?: number;
  readonly durableOverTarget?: number;
  readonly durableMeetsTarget?: boolean;
}

export function compareModes(workload: StoreWorkload, durable: ModeResult, inMemory: ModeResult): readonly ComparedFigure[] {
  return figureDefinitions(workload).map((figure) => {
    const durableValue = figure.value(durable);
    const inMemoryValue = figure.value(inMemory);
    return {
      id: figure.id,
      label: figure.label,
      durable: durableValue,
      inMemory: inMemoryValue,
      durableOverInMemory: inMemoryValue === 0 ? Number.NaN : durableValue / inMemoryValue,
      ...(figure.target === undefined
        ? {}
        : { target: figure.target, durableOverTarget: durableValue / figure.target, durableMeetsTarget: durableValue >= figure.target }),
    };
  });
}

/** Mean cores taken by other processes over the phases: the measure of how quiet the machine was. */
export function otherCoresOf(result: ModeResult): number {
  return phases.reduce((sum, [, key]) => sum + result[key].otherCores, 0) / phases.length;
}

const noisyCores = 0.25;

function noiseNote(durable: ModeResult, inMemory: ModeResult): string[] {
  const [durableOther, inMemoryOther] = [otherCoresOf(durable), otherCoresOf(inMemory)];
  if (Math.max(durableOther, inMemoryOther) < noisyCores) return [];
  return [
    `NOISY MACHINE: other processes kept ${durableOther.toFixed(2)} cores busy during the durable run and ${inMemoryOther.toFixed(2)} during the in-memory run; figures are lower than on a quiet machine`,
  ];
}

export function figuresTable(figures: readonly ComparedFigure[], workload: StoreWorkload, durable: ModeResult, inMemory: ModeResult): Table {
  return {
    title: 'Embedded store through @eventstore/db-client (store in its own process)',
    columns: ['figure', 'durable (LMDB)', 'in-memory', 'durable/in-memory', 'target', 'durable vs target'],
    rows: figures.map((figure) => [
      figure.label,
      formatFigure(figure.durable),
      formatFigure(figure.inMemory),
      formatRatio(figure.durableOverInMemory),
      figure.target === undefined ? '' : formatFigure(figure.target),
      figure.durableOverTarget === undefined ? '' : `${formatRatio(figure.durableOverTarget)} ${figure.durableMeetsTarget ? 'meets' : 'below'}`,
    ]),
    notes: [
      `durable append phases run ${workload.phaseDurationMs / 1000} s each and are acknowledged after fsync (group commit); the in-memory run then makes the same number of appends, so both read the same log`,
      'readAll and catch-up go forwards over everything written (both append phases and the warm-up)',
      `filtered catch-up: $all events/s is the log covered per second; delivered is the 10% under the prefix`,
      `bench client peak RSS ${formatMebibytes(inMemory.bench.peakRssBytes)} MiB (it counts events, it does not keep them)`,
      ...noiseNote(durable, inMemory),
    ],
  };
}

const phases = [
  ['single-event appends', 'singleAppends'],
  ['batched appends', 'batchedAppends'],
  ['readAll (whole log)', 'readAllWholeLog'],
  ['readAll (pages)', 'readAllPages'],
  ['catch-up', 'catchUp'],
  ['filtered catch-up', 'filteredCatchUp'],
] as const;

/**
 * Cores busy per phase: on 2 cores, a client near 1.0 means the bench, not the store, is the
 * limit, and "other" shows how much of the machine something else took during the run.
 */
export function cpuTable(durable: ModeResult, inMemory: ModeResult): Table {
  const cores = (value: number) => value.toFixed(2);
  const modeCells = (result: ModeResult, key: (typeof phases)[number][1]) => [
    cores(result[key].usage.store.cores),
    cores(result[key].usage.bench.cores),
    cores(result[key].otherCores),
  ];
  return {
    title: 'CPU cores busy per phase (store process / bench client / other processes)',
    columns: ['phase', 'durable: store', 'client', 'other', 'in-memory: store', 'client', 'other'],
    rows: phases.map(([label, key]) => [label, ...modeCells(durable, key), ...modeCells(inMemory, key)]),
  };
}
