import { readFile } from 'node:fs/promises';

/** Jiffies since boot over all CPUs, from the first line of /proc/stat. */
export interface SystemCpuSample {
  readonly busyTicks: number;
  readonly totalTicks: number;
}

export async function sampleSystemCpu(): Promise<SystemCpuSample> {
  const firstLine = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal ...
  const ticks = firstLine.trim().split(/\s+/).slice(1).map(Number);
  const totalTicks = ticks.slice(0, 8).reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  const idleTicks = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busyTicks: totalTicks - idleTicks, totalTicks };
}

/** Cores the whole machine kept busy between two samples, given the CPU count. */
export function busyCoresBetween(before: SystemCpuSample, after: SystemCpuSample, cores: number): number {
  const total = after.totalTicks - before.totalTicks;
  return total > 0 ? ((after.busyTicks - before.busyTicks) / total) * cores : 0;
}
