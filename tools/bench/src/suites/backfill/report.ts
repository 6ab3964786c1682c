import type { PhaseUsage } from '../../measure/process-stats.ts';
import { formatReceiverRequests, inReceiverRequests } from '../../measure/receiver-units.ts';
import { formatFigure, formatMebibytes, type Table } from '../../output/table.ts';
import { processNames, type ProcessName } from '../pipeline/stack.ts';
import type { BackfillFigures } from './backfill-phase.ts';
import type { LiveOutcome } from './live-traffic.ts';
import type { BackfillWorkload } from './workload.ts';

const targetSeconds = 600;
const referenceProfiles = 1_000_000;

export interface BackfillRun {
  readonly workload: BackfillWorkload;
  readonly seedSeconds: number;
  readonly baseline: LiveOutcome;
  readonly backfill: BackfillFigures;
  readonly wallMs: number;
  readonly usage: Readonly<Record<ProcessName, PhaseUsage>>;
  readonly otherCores: number;
  readonly machineCores: number;
  readonly peakRssBytes: Readonly<Record<ProcessName, number>>;
  readonly serviceProblems: Readonly<Record<string, number>>;
}

const seconds = (value: number | undefined) => (value === undefined ? 'did not finish' : formatFigure(value));
const latencies = (live: LiveOutcome) => `${formatFigure(live.fromAck.p50Ms)} / ${formatFigure(live.fromAck.p95Ms)} / ${formatFigure(live.fromAck.p99Ms)}`;

export function backfillFiguresTable(run: BackfillRun): Table {
  const { workload, backfill } = run;
  const requestedPerSecond = backfill.completedSeconds ? backfill.exported / backfill.completedSeconds : 0;
  const deliveredPerSecond = backfill.deliveredSeconds ? backfill.received / backfill.deliveredSeconds : 0;
  const extrapolated = workload.profiles < referenceProfiles && deliveredPerSecond > 0;
  const millionSeconds = deliveredPerSecond > 0 ? referenceProfiles / deliveredPerSecond : Number.NaN;
  return {
    title: `Historical backfill of ${formatFigure(workload.profiles)} profiles beside live traffic at ${workload.live.ratePerSecond}/s`,
    columns: ['figure', 'value'],
    rows: [
      ['profiles seeded (realized in the added audience; written straight into the data file)', formatFigure(workload.profiles)],
      ['  seeding time (s, not part of the backfill)', formatFigure(run.seedSeconds)],
      ['backfill: every export requested (s, configuration event ack -> BackfillCompleted)', seconds(backfill.completedSeconds)],
      ["  of which the first pass over the log (s, the decider's own measure; nothing is exported meanwhile)", backfill.firstPassSeconds === undefined ? 'not logged' : formatFigure(backfill.firstPassSeconds)],
      ['  profiles/s requested', formatFigure(requestedPerSecond)],
      ['backfill: every export received (s, configuration event ack -> last backfill export at the receiver)', seconds(backfill.deliveredSeconds)],
      ['  profiles/s delivered', formatFigure(deliveredPerSecond)],
      [`${extrapolated ? 'extrapolated at the delivered rate: ' : ''}1,000,000 profiles (min; target < ${targetSeconds / 60})`, formatFigure(millionSeconds / 60)],
      ['live latency alone before it: p50 / p95 / p99 (ms, ingest ack -> receipt)', latencies(run.baseline)],
      ['live latency during it: p50 / p95 / p99 (ms)', latencies(backfill.live)],
    ],
    notes: [
      `SPILLWAY_BACKFILL_RATE ${workload.backfillRate === '' ? "unset (the decider's default)" : workload.backfillRate}; live changes: ${formatFigure(backfill.live.changes)} during the backfill (${backfill.live.missing} missing, ${backfill.live.duplicates} duplicates), ${formatFigure(run.baseline.changes)} before it`,
      `backfill exports: ${formatFigure(backfill.exported)} requested of ${formatFigure(backfill.scanned)} scanned, ${formatFigure(backfill.received)} distinct received, ${backfill.duplicates} received twice`,
      `the services' checkpoints start at the end of the seeded log (as if they had handled it live); the backfill scans it from the start; the machine kept ${run.machineCores.toFixed(2)} cores busy, ${run.otherCores.toFixed(2)} of them other processes`,
      `service warn/error log lines: ${Object.entries(run.serviceProblems).map(([name, count]) => `${name} ${count}`).join(', ')}`,
    ],
  };
}

export function backfillCpuTable(run: BackfillRun): Table {
  const profiles = Math.max(1, run.backfill.received);
  const msPerProfile = (name: ProcessName) => (run.usage[name].cpuSeconds * 1000) / profiles;
  const sum = (perProcess: (name: ProcessName) => number) => processNames.reduce((total, name) => total + perProcess(name), 0);
  const { live } = run.backfill;
  // The receiver's requests: the backfill's exports and the live traffic's, repeats included.
  const receiver = { cpuSeconds: run.usage.receiver.cpuSeconds, requests: run.backfill.received + run.backfill.duplicates + live.changes - live.missing + live.duplicates };
  const receiverRequests = (cpuSeconds: number) => formatReceiverRequests(inReceiverRequests(cpuSeconds, profiles, receiver));
  return {
    title: 'CPU and memory per process during the backfill (live traffic included)',
    columns: ['process', 'CPU s', 'cores', 'CPU ms/profile', 'in receiver-requests', 'peak RSS (MiB)'],
    rows: [
      ...processNames.map((name) => {
        const usage = run.usage[name];
        return [name, formatFigure(usage.cpuSeconds), usage.cores.toFixed(2), formatFigure(msPerProfile(name)), receiverRequests(usage.cpuSeconds), formatMebibytes(run.peakRssBytes[name])];
      }),
      ['all', formatFigure(sum((name) => run.usage[name].cpuSeconds)), sum((name) => run.usage[name].cores).toFixed(2), formatFigure(sum(msPerProfile)), receiverRequests(sum((name) => run.usage[name].cpuSeconds)), ''],
    ],
    notes: [
      `phase wall time ${formatFigure(run.wallMs / 1000)} s; CPU per profile = CPU seconds / backfill exports received; in receiver-requests: that over the receiver's CPU per request in the same phase, which compares runs at different machine speeds`,
      `the live traffic (${formatFigure(run.backfill.live.changes)} changes) runs as long as the backfill does, so its share of the CPU per profile grows when the backfill is slower (a loaded machine)`,
    ],
  };
}
