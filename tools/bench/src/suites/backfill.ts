import { measurePhase } from '../measure/phase.ts';
import { sampleProcess } from '../measure/process-stats.ts';
import type { Suite } from '../suite.ts';
import { measureLiveBaseline, runBackfillPhase } from './backfill/backfill-phase.ts';
import { backfillFiguresTable, backfillCpuTable, type BackfillRun } from './backfill/report.ts';
import { seedProfiles } from './backfill/seed-profiles.ts';
import { checkpointServicesAtHead } from './backfill/service-checkpoints.ts';
import { backfillWorkload } from './backfill/workload.ts';
import { warmUp } from './pipeline/phases.ts';
import { processNames, startPipelineStack, type ProcessName } from './pipeline/stack.ts';
import { pipelineWorkload } from './pipeline/workload.ts';

/** A historical backfill of `--profiles` profiles (default 1,000,000) beside paced live traffic. */
export const backfillSuite: Suite = {
  name: 'backfill',
  description: 'seeded profiles realized in an audience, then that audience added to a dataflow: backfill time, profiles/s, live latency meanwhile',
  async run(context) {
    const workload = backfillWorkload(context, process.env);
    context.progress(`seeding ${workload.profiles} profiles straight into a fresh data file`);
    const seeded = await seedProfiles(workload.profiles, context.progress);
    context.progress(`seeded ${seeded.profiles} profiles in ${seeded.seconds.toFixed(1)} s`);
    const stack = await startPipelineStack(context.progress, {
      dataDir: seeded.dataDir,
      beforeServices: checkpointServicesAtHead,
      ...(workload.backfillRate === '' ? {} : { serviceEnv: { SPILLWAY_BACKFILL_RATE: workload.backfillRate } }),
    });
    try {
      const warmup = await warmUp(stack, pipelineWorkload(context));
      context.progress(`warm-up: ${warmup.received} exports through the pipeline`);
      const baseline = await measureLiveBaseline(stack, workload);
      context.progress(`live alone: p95 ${Math.round(baseline.fromAck.p95Ms)} ms`);
      const phase = await measurePhase(stack.pids, () => runBackfillPhase(stack, workload, context));
      context.progress('backfill: done, stopping the stack');
      const peaks = await Promise.all(processNames.map((name) => sampleProcess(stack.pids[name])));
      const run: BackfillRun = {
        workload,
        seedSeconds: seeded.seconds,
        baseline,
        backfill: phase.result,
        wallMs: phase.wallMs,
        usage: phase.usage as BackfillRun['usage'],
        otherCores: phase.otherCores,
        machineCores: phase.machineCores,
        peakRssBytes: Object.fromEntries(processNames.map((name, index) => [name, peaks[index]!.peakRssBytes])) as Record<ProcessName, number>,
        serviceProblems: stack.problems(),
      };
      return { tables: [backfillFiguresTable(run), backfillCpuTable(run)], results: { ...run } };
    } finally {
      await stack.stop();
    }
  },
};
