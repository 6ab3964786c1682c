import { availableParallelism } from 'node:os';
import { sampleProcess } from '../measure/process-stats.ts';
import type { Suite } from '../suite.ts';
import { ceilingAroundThroughput, measureCeilingPhase, measureLatency, measureThroughput, warmUp } from './pipeline/phases.ts';
import { cpuBoundCapacity, cpuTable, figuresTable, pipelineFigures, type PipelineRun } from './pipeline/report.ts';
import { processNames, startPipelineStack, type ProcessName } from './pipeline/stack.ts';
import { pipelineWorkload } from './pipeline/workload.ts';

/** The whole pipeline as real processes: throughput, latency at 1,000 changes/s, and a bare got loop as the ceiling. */
export const pipelineSuite: Suite = {
  name: 'pipeline',
  description: 'profile changes through store, projector, decider and agent to a local receiver: throughput, latency at 1,000/s, got ceiling',
  async run(context) {
    const workload = pipelineWorkload(context);
    const stack = await startPipelineStack(context.progress);
    try {
      const warmup = await warmUp(stack, workload);
      context.progress(`warm-up: ${warmup.received} exports through the pipeline`);
      const ceilingBefore = await measureCeilingPhase(stack, workload, { warmUp: true });
      context.progress(`ceiling before the throughput phase: ${Math.round(ceilingBefore.figures.requestsPerSecond)} requests/s`);
      const throughput = await measureThroughput(stack, workload, context);
      context.progress(`throughput: ${Math.round(throughput.figures.profilesPerSecond)} exports/s`);
      const ceilingAfter = await measureCeilingPhase(stack, workload, { warmUp: false });
      context.progress(`ceiling after it: ${Math.round(ceilingAfter.figures.requestsPerSecond)} requests/s`);
      const ceiling = ceilingAroundThroughput(ceilingBefore, ceilingAfter);
      const latency = await measureLatency(stack, workload, context);
      context.progress(`latency: p95 ${Math.round(latency.figures.outcome.fromAck.p95Ms)} ms`);
      const exportRequests = stack.receiver.counts().requests - ceiling.figures.receivedByReceiver;
      const peaks = await Promise.all(processNames.map((name) => sampleProcess(stack.pids[name])));
      const run: PipelineRun = {
        workload,
        throughput,
        latency,
        ceiling,
        peakRssBytes: Object.fromEntries(processNames.map((name, index) => [name, peaks[index]!.peakRssBytes])) as Record<ProcessName, number>,
        exportBodyBytes: exportRequests > 0 ? (stack.receiver.counts().bodyBytes - ceiling.figures.receivedByReceiver * ceiling.figures.bodyBytes) / exportRequests : 0,
        serviceProblems: stack.problems(),
        cores: availableParallelism(),
      };
      const figures = pipelineFigures(run);
      return {
        tables: [figuresTable(figures, run), cpuTable(run)],
        results: { figures, cpuBoundCapacity: cpuBoundCapacity(run), receiverProcess: 'separate', warmup, ...run },
      };
    } finally {
      await stack.stop();
    }
  },
};
