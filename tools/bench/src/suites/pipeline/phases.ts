import { setTimeout as sleep } from 'node:timers/promises';
import { measurePhase } from '../../measure/phase.ts';
import type { PhaseUsage } from '../../measure/process-stats.ts';
import { perSecond } from '../../measure/timing.ts';
import type { BenchContext } from '../../suite.ts';
import { measureCeiling, type CeilingFigures } from './ceiling.ts';
import { PlannedChanges, type ChangeOutcome } from './changes.ts';
import type { PipelineStack, ProcessName } from './stack.ts';
import type { PipelineWorkload } from './workload.ts';
import { writeAsFastAsPossible, writeAtFixedRate, type PacedWrite } from './write-changes.ts';

/** A phase's figures plus what each process and the machine spent on it. */
export interface Phase<T> {
  readonly figures: T;
  readonly wallMs: number;
  readonly usage: Readonly<Record<ProcessName, PhaseUsage>>;
  readonly otherCores: number;
  readonly machineCores: number;
}

export interface ThroughputFigures {
  readonly outcome: ChangeOutcome;
  /** Exports received / (last receipt - first append issued). */
  readonly profilesPerSecond: number;
  /** Changes whose state reached the receiver (their own export, or a newer one of the profile) / the same time. */
  readonly changesPerSecond: number;
  /** How fast the bench wrote: appends acknowledged / (last ack - first append issued). */
  readonly appendsPerSecond: number;
  /** Receipts that were no export of this phase (should be 0). */
  readonly unexpected: number;
}

export interface LatencyFigures extends PacedWrite {
  readonly outcome: ChangeOutcome;
  readonly offeredRatePerSecond: number;
  readonly unexpected: number;
}

async function measured<T>(stack: PipelineStack, work: () => Promise<T>): Promise<Phase<T>> {
  const phase = await measurePhase(stack.pids, work);
  return {
    figures: phase.result,
    wallMs: phase.wallMs,
    usage: phase.usage as Record<ProcessName, PhaseUsage>,
    otherCores: phase.otherCores,
    machineCores: phase.machineCores,
  };
}

/** Routes the receiver's receipts to this phase's plan; returns the count of strangers. */
function listen(stack: PipelineStack, plan: PlannedChanges): { unexpected(): number } {
  let unexpected = 0;
  stack.receiver.onReceipt((exportId, at) => {
    if (!plan.receipt(exportId, at)) unexpected++;
  });
  return { unexpected: () => unexpected };
}

/** Untimed: changes written as the throughput phase writes them, so the timed phases start warm. */
export async function warmUp(stack: PipelineStack, workload: PipelineWorkload): Promise<ChangeOutcome> {
  const plan = new PlannedChanges(workload.warmup);
  listen(stack, plan);
  await writeAsFastAsPossible(stack.client, plan, workload.throughput.writers);
  await plan.allReceived(workload.drainTimeoutMs);
  const outcome = plan.outcome();
  if (outcome.missing > 0) throw new Error(`warm-up: ${outcome.missing} of ${outcome.changes} exports never arrived; is the pipeline running? (service warnings: ${JSON.stringify(stack.problems())})`);
  return outcome;
}

export async function measureThroughput(stack: PipelineStack, workload: PipelineWorkload, context: BenchContext): Promise<Phase<ThroughputFigures>> {
  const plan = new PlannedChanges(workload.throughput);
  const strangers = listen(stack, plan);
  return measured(stack, async () => {
    await writeAsFastAsPossible(stack.client, plan, workload.throughput.writers);
    context.progress(`throughput: ${plan.set.changes} changes appended, waiting for their exports`);
    await plan.allReceived(workload.drainTimeoutMs);
    const outcome = plan.outcome();
    return {
      outcome,
      profilesPerSecond: perSecond(outcome.received, outcome.lastReceivedAt - outcome.firstIssuedAt),
      changesPerSecond: perSecond(outcome.received + outcome.superseded, outcome.lastReceivedAt - outcome.firstIssuedAt),
      appendsPerSecond: perSecond(outcome.appended, outcome.lastAckedAt - outcome.firstIssuedAt),
      unexpected: strangers.unexpected(),
    };
  });
}

export async function measureLatency(stack: PipelineStack, workload: PipelineWorkload, context: BenchContext): Promise<Phase<LatencyFigures>> {
  const { latency } = workload;
  const plan = new PlannedChanges(latency);
  const strangers = listen(stack, plan);
  return measured(stack, async () => {
    const paced = await writeAtFixedRate(stack.client, plan, latency.tickMs, latency.perTick);
    context.progress(`latency: ${plan.set.changes} changes offered at ${latency.ratePerSecond}/s, waiting for their exports`);
    await plan.allReceived(workload.drainTimeoutMs);
    return { ...paced, outcome: plan.outcome(), offeredRatePerSecond: latency.ratePerSecond, unexpected: strangers.unexpected() };
  });
}

export type CeilingPhase = Phase<CeilingFigures & { readonly receivedByReceiver: number }>;

/** One timed window of the `got` loop; with `warmUp`, an untimed run first (as the pipeline has its warm-up), so got's code is optimized before it is timed. */
export async function measureCeilingPhase(stack: PipelineStack, workload: PipelineWorkload, options: { readonly warmUp: boolean }): Promise<CeilingPhase> {
  let received = 0;
  stack.receiver.onReceipt(() => received++);
  const warmup = options.warmUp ? await measureCeiling(stack.receiver.url, workload.ceiling.concurrency, workload.ceiling.warmupMs) : { ok: 0 };
  return measured(stack, async () => {
    const figures = await measureCeiling(stack.receiver.url, workload.ceiling.concurrency, workload.ceiling.durationMs);
    // The receiver reports in batches: wait for the last ones, so they are not taken for the next phase's.
    for (const deadline = Date.now() + 2_000; received < warmup.ok + figures.ok && Date.now() < deadline; ) await sleep(10);
    return { ...figures, receivedByReceiver: received };
  });
}

/**
 * The two windows of the `got` loop, just before and just after the throughput phase, taken as
 * one: requests over their summed time, CPU over their summed wall time. This machine's speed
 * drifts by a quarter within half a minute (consecutive 5-second windows of the same loop), so
 * the ceiling is timed on both sides of what it is compared with.
 */
export function ceilingAroundThroughput(before: CeilingPhase, after: CeilingPhase): CeilingPhase & { readonly windows: readonly [CeilingPhase, CeilingPhase] } {
  const sum = (pick: (phase: CeilingPhase) => number) => pick(before) + pick(after);
  const wallMs = sum((phase) => phase.wallMs);
  const elapsedMs = sum((phase) => phase.figures.elapsedMs);
  const ok = sum((phase) => phase.figures.ok);
  const weighted = (pick: (phase: CeilingPhase) => number) => (wallMs > 0 ? (pick(before) * before.wallMs + pick(after) * after.wallMs) / wallMs : 0);
  const usage = Object.fromEntries(
    (Object.keys(after.usage) as ProcessName[]).map((name) => {
      const cpuSeconds = before.usage[name].cpuSeconds + after.usage[name].cpuSeconds;
      return [name, { cpuSeconds, cores: wallMs > 0 ? cpuSeconds / (wallMs / 1000) : 0, rssEndBytes: after.usage[name].rssEndBytes }];
    }),
  ) as Record<ProcessName, PhaseUsage>;
  return {
    figures: {
      concurrency: after.figures.concurrency,
      requests: sum((phase) => phase.figures.requests),
      ok,
      failed: sum((phase) => phase.figures.failed),
      elapsedMs,
      requestsPerSecond: perSecond(ok, elapsedMs),
      bodyBytes: after.figures.bodyBytes,
      receivedByReceiver: sum((phase) => phase.figures.receivedByReceiver),
    },
    wallMs,
    usage,
    otherCores: weighted((phase) => phase.otherCores),
    machineCores: weighted((phase) => phase.machineCores),
    windows: [before, after],
  };
}
