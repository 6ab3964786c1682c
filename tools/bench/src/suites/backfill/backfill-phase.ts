import { setTimeout as sleep } from 'node:timers/promises';
import type { BackfillEvent } from '@spillway/pipeline-events';
import { epochMs } from '../../measure/timing.ts';
import type { BenchContext } from '../../suite.ts';
import { addHistoryAudience, benchConfiguration } from '../pipeline/configuration.ts';
import type { PipelineStack } from '../pipeline/stack.ts';
import { latestBackfillEvent } from './backfill-progress.ts';
import { createLiveTraffic, type LiveOutcome } from './live-traffic.ts';
import type { BackfillWorkload } from './workload.ts';

export interface BackfillFigures {
  /** Profiles the decider looked at and export requests it wrote (its BackfillCompleted), when it completed. */
  readonly scanned: number;
  readonly exported: number;
  /** From the acknowledgement of the configuration event that asked for it to the decider's BackfillCompleted. */
  readonly completedSeconds: number | undefined;
  /** From the same moment to the arrival of the last backfill export at the receiver. */
  readonly deliveredSeconds: number | undefined;
  /** The decider's first pass over the log, before any export (its `backfill history indexed` line). */
  readonly firstPassSeconds: number | undefined;
  /** Distinct backfill exports the receiver got, and the same export id again. */
  readonly received: number;
  readonly duplicates: number;
  /** Live changes offered during the backfill (until its last export arrived). */
  readonly live: LiveOutcome;
}

const pollEveryMs = 2_000;

/**
 * Adds the history audience to the dataflow (the decider starts the backfill) while live
 * changes keep being offered, and waits until the backfill completed and every export it
 * requested arrived, reporting progress from the `backfill-<dataflow>` stream meanwhile.
 */
export async function runBackfillPhase(stack: PipelineStack, workload: BackfillWorkload, context: BenchContext): Promise<BackfillFigures> {
  const live = createLiveTraffic(stack.client, 'bl', workload.live);
  const receivedIds = new Set<string>();
  let duplicates = 0;
  let lastReceivedAt = 0;
  stack.receiver.onReceipt((exportId, at) => {
    if (live.receipt(exportId, at)) return;
    if (receivedIds.has(exportId)) duplicates++;
    else receivedIds.add(exportId);
    lastReceivedAt = at;
  });
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const offering = live.run(finished);
  await addHistoryAudience(stack.client);
  const requestedAt = epochMs();
  const deadline = requestedAt + workload.timeoutMs;
  let completed: Extract<BackfillEvent, { type: 'BackfillCompleted' }>['data'] | undefined;
  try {
    while (epochMs() < deadline) {
      await sleep(pollEveryMs);
      const latest = await latestBackfillEvent(stack.client, benchConfiguration.dataflowId);
      if (latest?.type === 'BackfillCompleted') completed = latest.data;
      const scanned = latest && latest.type !== 'BackfillStarted' ? latest.data.scanned : 0;
      context.progress(`backfill: ${scanned} scanned, ${receivedIds.size} exports received, ${Math.round((epochMs() - requestedAt) / 1000)} s${completed ? ', completed' : ''}`);
      if (completed && receivedIds.size >= completed.exported) break;
    }
  } finally {
    finish();
    await offering;
  }
  context.progress('backfill: waiting for the last live exports');
  const liveOutcome = await live.outcome(workload.drainTimeoutMs);
  return {
    scanned: completed?.scanned ?? 0,
    exported: completed?.exported ?? 0,
    completedSeconds: completed ? (Date.parse(completed.completedAt) - requestedAt) / 1000 : undefined,
    deliveredSeconds: completed && receivedIds.size >= completed.exported ? (lastReceivedAt - requestedAt) / 1000 : undefined,
    received: receivedIds.size,
    duplicates,
    live: liveOutcome,
    firstPassSeconds: firstPassSeconds(stack),
  };
}

function firstPassSeconds(stack: PipelineStack): number | undefined {
  const indexed = stack.services['export-decider'].logs().find((entry) => entry.message === 'backfill history indexed');
  return typeof indexed?.['seconds'] === 'number' ? indexed['seconds'] : undefined;
}

/** Live traffic alone, before the backfill: the latency the backfill must not spoil. */
export async function measureLiveBaseline(stack: PipelineStack, workload: BackfillWorkload): Promise<LiveOutcome> {
  const live = createLiveTraffic(stack.client, 'b0', workload.live);
  let strangers = 0;
  stack.receiver.onReceipt((exportId, at) => void (live.receipt(exportId, at) || strangers++));
  await live.run(sleep(workload.baselineMs));
  const outcome = await live.outcome(workload.drainTimeoutMs);
  if (strangers > 0) throw new Error(`live baseline: ${strangers} exports the bench did not plan arrived before any backfill`);
  return outcome;
}
