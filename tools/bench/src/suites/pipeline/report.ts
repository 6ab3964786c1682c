import { formatReceiverRequests, inReceiverRequests } from '../../measure/receiver-units.ts';
import { formatFigure, formatMebibytes, formatRatio, type Table } from '../../output/table.ts';
import type { CeilingPhase, LatencyFigures, Phase, ThroughputFigures } from './phases.ts';
import { processNames, type ProcessName } from './stack.ts';
import type { PipelineWorkload } from './workload.ts';

const noisyCores = 0.25;

export interface PipelineRun {
  readonly workload: PipelineWorkload;
  readonly throughput: Phase<ThroughputFigures>;
  readonly latency: Phase<LatencyFigures>;
  /** Both windows of the `got` loop as one, and each window (before and after the throughput phase). */
  readonly ceiling: CeilingPhase & { readonly windows: readonly [CeilingPhase, CeilingPhase] };
  /** VmHWM of each process at the end of the run. */
  readonly peakRssBytes: Readonly<Record<ProcessName, number>>;
  /** Mean body of the exports the receiver got from the agent. */
  readonly exportBodyBytes: number;
  readonly serviceProblems: Readonly<Record<string, number>>;
  /** CPUs of this machine. */
  readonly cores: number;
}

export interface PipelineFigure {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  /** Issue 3's target on the 2-core machine, where it sets one. */
  readonly target?: { readonly value: number; readonly atMost: boolean; readonly met: boolean };
}

const target = (value: number, limit: number, atMost: boolean) => ({ value: limit, atMost, met: atMost ? value < limit : value >= limit });

/** Every figure the pipeline suite reports, in table order. */
export function pipelineFigures(run: PipelineRun): readonly PipelineFigure[] {
  const { workload, throughput, latency, ceiling } = run;
  const t = throughput.figures;
  const l = latency.figures;
  const ratio = ceiling.figures.requestsPerSecond > 0 ? t.profilesPerSecond / ceiling.figures.requestsPerSecond : Number.NaN;
  const p95 = l.outcome.fromAck.p95Ms;
  return [
    {
      id: 'throughputProfilesPerSecond',
      label: `pipeline throughput: exports received/s (${formatFigure(workload.throughput.changes)} changes, ${formatFigure(workload.throughput.profiles)} profiles)`,
      value: t.profilesPerSecond,
    },
    { id: 'throughputChangesPerSecond', label: '  changes settled/s (exported, or superseded by a newer export of the profile)', value: t.changesPerSecond },
    { id: 'throughputAppendsPerSecond', label: `  ingest appends/s meanwhile (${workload.throughput.writers} writers, each acked)`, value: t.appendsPerSecond },
    // When it is seconds, one stage drained its backlog alone after the others had finished (the agent's one thread did, before it sent from a sender thread).
    { id: 'throughputReceiptTailMs', label: '  last receipt after the last ingest append (ms): the backlog drained after the writers stopped', value: t.outcome.lastReceivedAt - t.outcome.lastAckedAt },
    { id: 'throughputLatencyP50Ms', label: '  latency p50 at saturation (ms, ack -> receipt)', value: t.outcome.fromAck.p50Ms },
    { id: 'throughputLatencyP95Ms', label: '  latency p95 at saturation (ms)', value: t.outcome.fromAck.p95Ms },
    { id: 'latencyAchievedRatePerSecond', label: `paced ingest appends/s (offered ${formatFigure(l.offeredRatePerSecond)}/s for ${workload.latency.durationMs / 1000} s)`, value: l.achievedRatePerSecond },
    { id: 'latencyP50Ms', label: '  latency p50 (ms, ingest append ack -> receipt)', value: l.outcome.fromAck.p50Ms },
    { id: 'latencyP95Ms', label: '  latency p95 (ms)', value: p95, target: target(p95, 1_000, true) },
    { id: 'latencyP99Ms', label: '  latency p99 (ms)', value: l.outcome.fromAck.p99Ms },
    { id: 'latencyMaxMs', label: '  latency max (ms)', value: l.outcome.fromAck.maxMs },
    {
      id: 'ceilingRequestsPerSecond',
      label: `bare got loop requests/s (${ceiling.figures.concurrency} loops, keep-alive, same receiver; ${formatFigure(workload.ceiling.durationMs / 1000)} s on each side of the throughput phase)`,
      value: ceiling.figures.requestsPerSecond,
    },
    { id: 'ceilingBeforeRequestsPerSecond', label: '  just before the throughput phase', value: ceiling.windows[0].figures.requestsPerSecond },
    { id: 'ceilingAfterRequestsPerSecond', label: '  just after it', value: ceiling.windows[1].figures.requestsPerSecond },
    { id: 'pipelineOverCeiling', label: 'pipeline throughput / got ceiling', value: ratio, target: target(ratio, 0.5, false) },
  ];
}

export function figuresTable(figures: readonly PipelineFigure[], run: PipelineRun): Table {
  const { throughput, latency, ceiling } = run;
  const lost = (phase: { readonly figures: { readonly outcome: { readonly missing: number; readonly superseded: number; readonly duplicates: number }; readonly unexpected: number } }) =>
    `${phase.figures.outcome.missing} missing, ${phase.figures.outcome.superseded} superseded, ${phase.figures.outcome.duplicates} duplicates, ${phase.figures.unexpected} unexpected`;
  return {
    title: 'Pipeline end to end: ingest -> projector -> decider -> agent -> receiver (every process on this machine)',
    columns: ['figure', 'value', 'target', 'vs target'],
    rows: figures.map((figure) => [
      figure.label,
      formatFigure(figure.value),
      figure.target ? `${figure.target.atMost ? '< ' : '>= '}${formatFigure(figure.target.value)}` : '',
      figure.target ? `${formatRatio(figure.value / figure.target.value)} ${figure.target.met ? 'meets' : 'misses'}` : '',
    ]),
    notes: [
      'store (durable, LMDB), projector, decider and agent are real processes with default settings; the receiver is a separate minimal node:http process answering 200 at once; the bench process writes ingest events and runs the got loop',
      'each change is one ProfileChanged and one export request; the agent may supersede a queued export by a newer one of the same profile (that change is then settled by the newer export); throughput = distinct exports received / (last receipt - first append issued); latency = time the receiver got the change (or the newer state superseding it) - append ack time in the bench (same machine clock)',
      `exports: throughput phase ${lost(throughput)}; latency phase ${lost(latency)}; ceiling ${formatFigure(ceiling.figures.failed)} failed requests`,
      `mean body: ${formatFigure(run.exportBodyBytes)} bytes per export, ${formatFigure(ceiling.figures.bodyBytes)} bytes per got-loop request; latency from append issue (incl. store ack): p50 ${formatFigure(latency.figures.outcome.fromIssue.p50Ms)} ms, p95 ${formatFigure(latency.figures.outcome.fromIssue.p95Ms)} ms; pacing lag max ${formatFigure(latency.figures.maxTickLagMs)} ms`,
      ...(throughput.figures.outcome.appendRetries + latency.figures.outcome.appendRetries > 0
        ? [`ingest appends retried after the store did not answer in time: ${throughput.figures.outcome.appendRetries} (throughput), ${latency.figures.outcome.appendRetries} (latency)`]
        : []),
      `service warn/error log lines: ${Object.entries(run.serviceProblems).map(([name, count]) => `${name} ${count}`).join(', ')}`,
      ...noiseNote(run),
    ],
  };
}

/** Changes whose state reached the receiver: CPU per change divides by these. */
function settled(outcome: { readonly received: number; readonly superseded: number }): number {
  return outcome.received + outcome.superseded;
}

/** What the throughput would be if the pipeline had the whole machine: cores / CPU per change. */
export function cpuBoundCapacity(run: PipelineRun): { readonly cores: number; readonly cpuMsPerChange: number; readonly changesPerSecond: number } {
  const { throughput } = run;
  const cpuSeconds = processNames.reduce((total, name) => total + throughput.usage[name].cpuSeconds, 0);
  const changes = settled(throughput.figures.outcome);
  const cpuMsPerChange = changes > 0 ? (cpuSeconds * 1000) / changes : Number.NaN;
  return { cores: run.cores, cpuMsPerChange, changesPerSecond: run.cores / (cpuMsPerChange / 1000) };
}

function noiseNote(run: PipelineRun): string[] {
  const phases = [run.throughput, run.latency, run.ceiling];
  const worst = Math.max(...phases.map((phase) => phase.otherCores));
  if (worst < noisyCores) return [];
  return [
    `NOISY MACHINE: other processes kept ${phases.map((phase) => phase.otherCores.toFixed(2)).join(' / ')} cores busy (throughput / latency / ceiling phase); figures are lower than on a quiet machine`,
  ];
}

/** CPU per process per phase, CPU per change, and peak memory: where the machine's 2 cores go. */
export function cpuTable(run: PipelineRun): Table {
  const { throughput, latency, ceiling } = run;
  const cores = (value: number) => value.toFixed(2);
  const perChange = (cpuSeconds: number, changes: number) => (changes > 0 ? formatFigure((cpuSeconds * 1000) / changes) : 'n/a');
  const receiver = { cpuSeconds: throughput.usage.receiver.cpuSeconds, requests: throughput.figures.outcome.received };
  const receiverRequests = (cpuSeconds: number) => formatReceiverRequests(inReceiverRequests(cpuSeconds, settled(throughput.figures.outcome), receiver));
  const rows = processNames.map((name) => [
    name,
    formatFigure(throughput.usage[name].cpuSeconds),
    cores(throughput.usage[name].cores),
    perChange(throughput.usage[name].cpuSeconds, settled(throughput.figures.outcome)),
    receiverRequests(throughput.usage[name].cpuSeconds),
    cores(latency.usage[name].cores),
    perChange(latency.usage[name].cpuSeconds, settled(latency.figures.outcome)),
    cores(ceiling.usage[name].cores),
    formatMebibytes(run.peakRssBytes[name]),
  ]);
  const pipelineNames: readonly ProcessName[] = ['store', 'profile-projector', 'export-decider', 'delivery-agent'];
  const sumRow = (label: string, names: readonly ProcessName[]) => {
    const sum = (phase: typeof throughput | typeof latency | typeof ceiling, key: 'cpuSeconds' | 'cores') => names.reduce((total, name) => total + phase.usage[name][key], 0);
    return [
      label,
      formatFigure(sum(throughput, 'cpuSeconds')),
      cores(sum(throughput, 'cores')),
      perChange(sum(throughput, 'cpuSeconds'), settled(throughput.figures.outcome)),
      receiverRequests(sum(throughput, 'cpuSeconds')),
      cores(sum(latency, 'cores')),
      perChange(sum(latency, 'cpuSeconds'), settled(latency.figures.outcome)),
      cores(sum(ceiling, 'cores')),
      '',
    ];
  };
  const capacity = cpuBoundCapacity(run);
  return {
    title: 'CPU and memory per process (cores = CPU seconds / wall seconds; 2.00 is the whole machine)',
    columns: ['process', 'throughput: CPU s', 'cores', 'CPU ms/change', 'in receiver-requests', 'latency: cores', 'CPU ms/change', 'ceiling: cores', 'peak RSS (MiB)'],
    rows: [
      ...rows,
      sumRow('pipeline (store + 3 services)', pipelineNames),
      sumRow('all measured processes', processNames),
      ['other processes', '', cores(throughput.otherCores), '', '', cores(latency.otherCores), '', cores(ceiling.otherCores), ''],
      ['whole machine', '', cores(throughput.machineCores), '', '', cores(latency.machineCores), '', cores(ceiling.machineCores), ''],
    ],
    notes: [
      `CPU-bound estimate for this machine without other load: ${formatFigure(capacity.changesPerSecond)} changes/s, if exports stay one per change (${capacity.cores} cores / ${formatFigure(capacity.cpuMsPerChange)} CPU ms per change of all measured processes in the throughput phase); it assumes no process needs more than one core, which the per-process figures show`,
      'in receiver-requests: the throughput phase\'s CPU per change over the receiver\'s CPU per request in the same phase (the receiver does the same work in every run: this compares runs taken at different machine speeds)',
      `phase wall times: throughput ${formatFigure(throughput.wallMs / 1000)} s, latency ${formatFigure(latency.wallMs / 1000)} s, ceiling ${formatFigure(run.ceiling.windows[0].wallMs / 1000)} + ${formatFigure(run.ceiling.windows[1].wallMs / 1000)} s`,
    ],
  };
}
