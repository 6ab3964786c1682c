import { setTimeout as sleep } from 'node:timers/promises';
import { formatFigure, type Table } from '../output/table.ts';
import type { BenchContext, Suite } from '../suite.ts';
import { faultFigures, type FaultFigures } from './faults/fault-figures.ts';
import { faultMix, startFaultStack, type FaultStack } from './faults/fault-stack.ts';
import { readRecordedOutcomes } from './faults/recorded-outcomes.ts';
import { PlannedChanges } from './pipeline/changes.ts';
import { benchConfiguration } from './pipeline/configuration.ts';
import { writeAtFixedRate } from './pipeline/write-changes.ts';

interface FaultWorkload {
  readonly profiles: number;
  readonly changes: number;
  readonly ratePerSecond: number;
  readonly tickMs: number;
  readonly settleTimeoutMs: number;
}

function faultWorkload(context: BenchContext): FaultWorkload {
  return context.quick
    ? { profiles: 100, changes: 400, ratePerSecond: 200, tickMs: 10, settleTimeoutMs: 60_000 }
    : { profiles: 500, changes: 3_000, ratePerSecond: 200, tickMs: 10, settleTimeoutMs: 180_000 };
}

/** N profile changes through the whole stack to an endpoint that fails often (`faultMix`), with the product's default retry policy. */
export const faultsSuite: Suite = {
  name: 'faults',
  description: 'profile changes through the whole stack to a faulty endpoint (500, 429, too slow, dropped): delivered, retried, superseded, dead-lettered, end-to-end p95',
  async run(context) {
    const workload = faultWorkload(context);
    const stack = await startFaultStack(context.progress);
    try {
      const plan = new PlannedChanges({ prefix: 'f', profiles: workload.profiles, changes: workload.changes });
      const startedAt = Date.now();
      const written = await writeAtFixedRate(stack.client, plan, workload.tickMs, Math.round((workload.ratePerSecond * workload.tickMs) / 1000));
      context.progress(`written: ${workload.changes} changes at ${Math.round(written.achievedRatePerSecond)}/s`);
      const outcomes = await settle(stack, workload, context);
      let fed = 0;
      for (const record of stack.receiver.records) if (record.outcome === 'accepted') fed += plan.receipt(record.exportId, record.settledAt) ? 1 : 0;
      const figures = faultFigures(outcomes, plan.outcome().fromAck);
      const receiverCounts = stack.receiver.counts();
      return {
        tables: [figuresTable(figures, workload, receiverCounts, Date.now() - startedAt)],
        results: { workload, faultMix, retryPolicy: 'product default: 3 attempts, backoff 200 ms base, 5 s cap, Retry-After honoured up to 30 s', figures, receiverCounts, acceptedRecords: fed },
      };
    } finally {
      await stack.stop();
    }
  },
};

/** Waits until every requested export has a final outcome (delivered, superseded, or failed and dead-lettered). */
async function settle(stack: FaultStack, workload: FaultWorkload, context: BenchContext) {
  const deadline = Date.now() + workload.settleTimeoutMs;
  let lastReport = 0;
  for (;;) {
    const outcomes = await readRecordedOutcomes(stack.client, benchConfiguration.dataflowId);
    const done = outcomes.requested >= workload.changes && outcomes.final >= outcomes.requested;
    if (done || Date.now() > deadline) return outcomes;
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      context.progress(`settling: ${outcomes.final} of ${outcomes.requested} exports have their outcome`);
    }
    await sleep(500);
  }
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function figuresTable(figures: FaultFigures, workload: FaultWorkload, receiverCounts: Record<string, number>, elapsedMs: number): Table {
  return {
    title: 'Through a faulty endpoint',
    columns: ['figure', 'value'],
    rows: [
      ['profile changes (exports requested)', `${formatFigure(workload.changes)} (${formatFigure(figures.requested)})`],
      ['delivered', formatFigure(figures.delivered)],
      ['  of them on the first attempt', formatFigure(figures.deliveredFirstAttempt)],
      ['retried (failed attempts retried)', formatFigure(figures.retried)],
      ['superseded (a newer state was sent instead)', formatFigure(figures.superseded)],
      ['dead-lettered', formatFigure(figures.deadLettered)],
      ['without an outcome when the run stopped', formatFigure(figures.unsettled)],
      ['share delivered on the first attempt', percent(figures.firstAttemptShare)],
      ['share delivered finally (of requested)', percent(figures.finalShare)],
      ['share delivered finally (of those sent, not superseded)', percent(figures.finalShareOfSent)],
      ['end-to-end p50 / p95 / p99 (ms)', [figures.endToEnd.p50Ms, figures.endToEnd.p95Ms, figures.endToEnd.p99Ms].map(formatFigure).join(' / ')],
      ['endpoint answers: 200 / 500 / 429 / too slow / dropped', ['accepted', 'server-error', 'too-many-requests', 'slow-abandoned', 'dropped'].map((key) => formatFigure(receiverCounts[key] ?? 0)).join(' / ')],
      ['run time (s)', formatFigure(elapsedMs / 1000)],
    ],
    notes: [
      `${formatFigure(workload.changes)} changes of ${formatFigure(workload.profiles)} profiles offered at ${workload.ratePerSecond}/s; fault mix per request: 500 ${percent(faultMix.serverError)}, 429 with Retry-After 1 s ${percent(faultMix.tooManyRequests)}, answer after 3 s (agent timeout 2 s) ${percent(faultMix.slow)}, connection dropped ${percent(faultMix.drop)}.`,
      'Retry policy: the product default (3 attempts, exponential backoff with jitter from 200 ms, capped at 5 s; Retry-After honoured up to 30 s).',
      'End-to-end: from the ingest append acknowledgement until the endpoint accepted that state (its own export, or a newer export of the profile that superseded it); changes whose state never arrived (dead-lettered last state) are not in it.',
    ],
  };
}
