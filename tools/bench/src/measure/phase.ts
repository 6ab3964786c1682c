import { availableParallelism } from 'node:os';
import { sampleProcess, usageBetween } from './process-stats.ts';
import type { PhaseUsage } from './process-stats.ts';
import { busyCoresBetween, sampleSystemCpu } from './system-cpu.ts';
import { startStopwatch } from './timing.ts';

export interface MeasuredPhase<T> {
  readonly result: T;
  readonly wallMs: number;
  /** CPU and RSS of each watched process over the phase, by the name it was given. */
  readonly usage: Readonly<Record<string, PhaseUsage>>;
  /** Cores kept busy by everything else on the machine: a noisy neighbour shows here. */
  readonly otherCores: number;
  /** Cores the whole machine kept busy (watched processes and everything else). */
  readonly machineCores: number;
}

/** Runs `work` and reports what each watched process (name -> pid) spent on it. */
export async function measurePhase<T>(processes: Readonly<Record<string, number>>, work: () => Promise<T>): Promise<MeasuredPhase<T>> {
  const names = Object.keys(processes);
  const sampleAll = () => Promise.all([sampleSystemCpu(), ...names.map((name) => sampleProcess(processes[name]!))] as const);
  const [systemBefore, ...before] = await sampleAll();
  const stopwatch = startStopwatch();
  const result = await work();
  const wallMs = stopwatch.elapsedMs();
  const [systemAfter, ...after] = await sampleAll();
  const usage = Object.fromEntries(names.map((name, index) => [name, usageBetween(before[index]!, after[index]!, wallMs)]));
  const watchedCores = Object.values(usage).reduce((sum, phase) => sum + phase.cores, 0);
  const machineCores = busyCoresBetween(systemBefore, systemAfter, availableParallelism());
  const otherCores = Math.max(0, machineCores - watchedCores);
  return { result, wallMs, usage, otherCores, machineCores };
}
