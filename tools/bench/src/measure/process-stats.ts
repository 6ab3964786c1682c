import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** What Linux reports about one process at one moment (from /proc/<pid>/status and /proc/<pid>/stat). */
export interface ProcessSample {
  readonly rssBytes: number;
  /** VmHWM: the peak resident set since the process started. */
  readonly peakRssBytes: number;
  /** utime + stime, all threads. */
  readonly cpuSeconds: number;
}

export class ProcessStatsError extends Error {
  readonly type = 'process-stats-error';
  readonly pid: number;
  constructor(pid: number, reason: string) {
    super(`cannot read /proc/${pid}: ${reason}`);
    this.name = 'ProcessStatsError';
    this.pid = pid;
  }
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // the value on every Linux this runs on; getconf is only a confirmation
    }
  }
  return ticksPerSecond;
}

export async function sampleProcess(pid: number): Promise<ProcessSample> {
  const [status, stat] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
  ]).catch((error: unknown) => {
    throw new ProcessStatsError(pid, error instanceof Error ? error.message : String(error));
  });
  return {
    rssBytes: statusKilobytes(status, 'VmRSS', pid) * 1024,
    peakRssBytes: statusKilobytes(status, 'VmHWM', pid) * 1024,
    cpuSeconds: cpuTicks(stat, pid) / clockTicksPerSecond(),
  };
}

/**
 * CPU seconds (user + system) of this process's children that have exited and been waited for
 * (cutime + cstime of /proc/self/stat): the only way to read a short-lived child's whole CPU.
 */
export async function reapedChildrenCpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = statFieldsAfterName(stat);
  const ticks = Number(fields[13]) + Number(fields[14]);
  if (!Number.isFinite(ticks)) throw new ProcessStatsError(process.pid, 'unexpected stat format');
  return ticks / clockTicksPerSecond();
}

function statusKilobytes(status: string, field: string, pid: number): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match === null) throw new ProcessStatsError(pid, `no ${field} in status`);
  return Number(match[1]);
}

/** Fields 3 onwards of a stat line: the command name (field 2) is in parentheses and may hold spaces. */
function statFieldsAfterName(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function cpuTicks(stat: string, pid: number): number {
  const fields = statFieldsAfterName(stat);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new ProcessStatsError(pid, 'unexpected stat format');
  return utime + stime;
}

/** CPU seconds and peak RSS a process used between two samples. */
export interface PhaseUsage {
  readonly cpuSeconds: number;
  /** cpuSeconds / wall seconds: 1.0 is one core busy the whole phase. */
  readonly cores: number;
  readonly rssEndBytes: number;
}

export function usageBetween(before: ProcessSample, after: ProcessSample, wallMs: number): PhaseUsage {
  const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
  return { cpuSeconds, cores: wallMs > 0 ? cpuSeconds / (wallMs / 1000) : 0, rssEndBytes: after.rssBytes };
}
