import type { EventStore } from '@spillway/event-streams';
import { LatencyRecorder, type LatencySummary } from '../../measure/percentiles.ts';
import { PlannedChanges } from '../pipeline/changes.ts';
import { writeAtFixedRate } from '../pipeline/write-changes.ts';
import type { BackfillWorkload } from './workload.ts';

export interface LiveOutcome {
  readonly changes: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Append ack -> receipt of the change (or of the newer export of its profile that superseded it). */
  readonly fromAck: LatencySummary;
}

/**
 * Live traffic offered at a fixed rate, in rounds of fresh profiles (`<name>-<round>-<n>`), for
 * as long as the caller wants: the length of a backfill is not known in advance. Each round is a
 * `PlannedChanges` of the pipeline suite (every change's export id known before it is appended).
 */
export interface LiveTraffic {
  /** Offers live changes until `until` resolves (the round in progress is finished). */
  run(until: Promise<void>): Promise<void>;
  /** Whether a receipt was one of these live exports (the rest are the backfill's). */
  receipt(exportId: string, receivedAtEpochMs: number): boolean;
  /** Waits for the live exports still on their way, then pools the latencies of every round. */
  outcome(drainTimeoutMs: number): Promise<LiveOutcome>;
}

export function createLiveTraffic(store: EventStore, name: string, live: BackfillWorkload['live']): LiveTraffic {
  const rounds: PlannedChanges[] = [];
  const unsettled = new Set<PlannedChanges>();
  const changesPerRound = Math.round((live.ratePerSecond * live.roundMs) / 1000);
  return {
    async run(until) {
      let stop = false;
      void until.then(() => (stop = true));
      while (!stop) {
        // Half the profiles get a second change (an attribute write), as in the pipeline suite.
        const plan = new PlannedChanges({ prefix: `${name}-${rounds.length}-`, profiles: Math.ceil(changesPerRound / 2), changes: changesPerRound });
        rounds.push(plan);
        unsettled.add(plan);
        await writeAtFixedRate(store, plan, live.tickMs, live.perTick);
      }
    },
    receipt(exportId, at) {
      for (const plan of unsettled) {
        if (!plan.receipt(exportId, at)) continue;
        if (plan.isSettled()) unsettled.delete(plan);
        return true;
      }
      return false;
    },
    async outcome(drainTimeoutMs) {
      const deadline = Date.now() + drainTimeoutMs;
      for (const plan of rounds) await plan.allReceived(Math.max(0, deadline - Date.now()));
      const recorder = new LatencyRecorder();
      let changes = 0;
      let missing = 0;
      let duplicates = 0;
      for (const plan of rounds) {
        plan.recordLatencies(recorder);
        const outcome = plan.outcome();
        changes += outcome.changes;
        missing += outcome.missing;
        duplicates += outcome.duplicates;
      }
      return { changes, missing, duplicates, fromAck: recorder.summary() };
    },
  };
}
