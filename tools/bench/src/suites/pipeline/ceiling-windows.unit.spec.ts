import { describe, expect, it } from 'vitest';
import { ceilingAroundThroughput, type CeilingPhase } from './phases.ts';
import { processNames, type ProcessName } from './stack.ts';

function window(ok: number, elapsedMs: number, benchCpuSeconds: number, otherCores: number): CeilingPhase {
  const usage = Object.fromEntries(processNames.map((name) => [name, { cpuSeconds: name === 'bench' ? benchCpuSeconds : 0, cores: 0, rssEndBytes: ok }])) as Record<ProcessName, { cpuSeconds: number; cores: number; rssEndBytes: number }>;
  return {
    figures: { concurrency: 64, requests: ok + 1, ok, failed: 1, elapsedMs, requestsPerSecond: ok / (elapsedMs / 1000), bodyBytes: 394, receivedByReceiver: ok },
    wallMs: elapsedMs,
    usage,
    otherCores,
    machineCores: otherCores + 1,
  };
}

describe('the got ceiling timed on both sides of the throughput phase', () => {
  it('given 3,000 req/s before and 2,000 after (5 s each), then the ceiling is 2,500 req/s and each window stays reported', () => {
    const ceiling = ceilingAroundThroughput(window(15_000, 5_000, 5, 0.1), window(10_000, 5_000, 5, 0.3));
    expect(ceiling.figures).toMatchObject({ ok: 25_000, requests: 25_002, failed: 2, elapsedMs: 10_000, requestsPerSecond: 2_500, receivedByReceiver: 25_000 });
    expect(ceiling.windows.map((phase) => phase.figures.requestsPerSecond)).toEqual([3_000, 2_000]);
  });

  it('given windows of unequal length, then requests/s, cores and the other processes\' load are over the summed time', () => {
    const ceiling = ceilingAroundThroughput(window(3_000, 1_000, 1, 0), window(9_000, 3_000, 3, 0.4));
    expect(ceiling.figures.requestsPerSecond).toBe(3_000);
    expect(ceiling.usage.bench).toMatchObject({ cpuSeconds: 4, cores: 1, rssEndBytes: 9_000 });
    expect(ceiling.otherCores).toBeCloseTo(0.3);
    expect(ceiling.wallMs).toBe(4_000);
  });
});
