import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureDefinitions } from './suites/store/report.ts';
import { storeWorkload } from './suites/store/workload.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const benchMain = fileURLToPath(new URL('./main.ts', import.meta.url));

interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runBench(args: readonly string[]): Promise<BenchRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [benchMain, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the bench once for the enclosing describe block, into a temporary out dir removed after it. */
function runBenchOnce(args: readonly string[]): { readonly run: BenchRun; readonly outDir: string } {
  let outDir: string | undefined;
  let run: BenchRun | undefined;
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'spillway-bench-'));
    run = await runBench([...args, '--out-dir', outDir]);
  }, 180_000);
  afterAll(async () => {
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  });
  return {
    get run() {
      if (run === undefined) throw new Error('the bench has not run');
      return run;
    },
    get outDir() {
      if (outDir === undefined) throw new Error('the bench has not run');
      return outDir;
    },
  };
}

// The figures themselves are not asserted: this checks the bench runs end to end and reports, not how fast the store is.
describe('npm run bench -- --quick --only store', () => {
  const bench = runBenchOnce(['--quick', '--only', 'store']);
  const figures = figureDefinitions(storeWorkload({ quick: true, phaseDurationMs: 1_000, profiles: undefined, progress: () => undefined }));


  it('exits 0 and prints a table row for every figure, durable and in-memory side by side', () => {
    expect(bench.run.code, bench.run.stderr).toBe(0);
    for (const figure of figures) {
      const row = bench.run.stdout.split('\n').find((line) => line.startsWith(`| ${figure.label} `));
      expect(row, `no row for "${figure.label}"`).toBeDefined();
      expect(row!.split('|').filter((cell) => cell.trim() !== '').length).toBeGreaterThanOrEqual(4);
    }
  });

  it('writes the results as JSON, timestamped and as latest-store.json, with positive figures for both storage modes', async () => {
    const files = await readdir(bench.outDir);
    expect(files).toContain('latest-store.json');
    expect(files.some((file) => /^store-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json$/.test(file))).toBe(true);
    const results = JSON.parse(await readFile(join(bench.outDir, 'latest-store.json'), 'utf8')) as {
      suite: string;
      machine: { cores: number };
      figures: { id: string; durable: number; inMemory: number; durableOverInMemory: number }[];
    };
    expect(results.suite).toBe('store');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.figures.map((figure) => figure.id)).toEqual(figures.map((figure) => figure.id));
    for (const figure of results.figures) {
      expect(figure.durable, figure.id).toBeGreaterThan(0);
      expect(figure.inMemory, figure.id).toBeGreaterThan(0);
      expect(figure.durableOverInMemory, figure.id).toBeGreaterThan(0);
    }
  });

  it('rejects an unknown suite with a message naming the known ones', async () => {
    const rejected = await runBench(['--only', 'nope', '--out-dir', bench.outDir]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('unknown suite nope (known: store, pipeline, faults, backfill, csv-import)');
  });
});

// The whole pipeline as real processes; again the figures are checked to be there and positive, never how high.
describe('npm run bench -- --quick --only pipeline', () => {
  const bench = runBenchOnce(['--quick', '--only', 'pipeline']);
  const figureIds = [
    'throughputProfilesPerSecond',
    'throughputChangesPerSecond',
    'throughputAppendsPerSecond',
    'throughputReceiptTailMs',
    'throughputLatencyP50Ms',
    'throughputLatencyP95Ms',
    'latencyAchievedRatePerSecond',
    'latencyP50Ms',
    'latencyP95Ms',
    'latencyP99Ms',
    'latencyMaxMs',
    'ceilingRequestsPerSecond',
    'ceilingBeforeRequestsPerSecond',
    'ceilingAfterRequestsPerSecond',
    'pipelineOverCeiling',
  ];


  it('exits 0 and prints the figures table and the CPU table with a row per process', () => {
    expect(bench.run.code, bench.run.stderr).toBe(0);
    const rows = bench.run.stdout.split('\n').filter((line) => line.startsWith('| '));
    for (const label of ['pipeline throughput: exports received/s', 'latency p95 (ms)', 'bare got loop requests/s', 'pipeline throughput / got ceiling']) {
      expect(rows.some((row) => row.includes(label)), `no row for "${label}"`).toBe(true);
    }
    for (const process of ['store', 'profile-projector', 'export-decider', 'delivery-agent', 'receiver', 'bench', 'whole machine']) {
      expect(rows.some((row) => row.startsWith(`| ${process} `)), `no CPU row for ${process}`).toBe(true);
    }
  });

  it('writes the results as JSON, timestamped and as latest-pipeline.json, with positive figures and every export received', async () => {
    const files = await readdir(bench.outDir);
    expect(files).toContain('latest-pipeline.json');
    expect(files.some((file) => /^pipeline-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json$/.test(file))).toBe(true);
    const results = JSON.parse(await readFile(join(bench.outDir, 'latest-pipeline.json'), 'utf8')) as {
      suite: string;
      figures: { id: string; value: number }[];
      throughput: { figures: { outcome: { changes: number; received: number; superseded: number; missing: number } } };
      latency: { figures: { outcome: { changes: number; received: number; superseded: number; missing: number } } };
      peakRssBytes: Record<string, number>;
    };
    expect(results.suite).toBe('pipeline');
    expect(results.figures.map((figure) => figure.id)).toEqual(figureIds);
    for (const figure of results.figures) expect(figure.value, figure.id).toBeGreaterThan(0);
    for (const phase of [results.throughput, results.latency]) {
      expect(phase.figures.outcome.changes).toBeGreaterThan(0);
      // A change queued behind an older one of its profile may be superseded by a newer one (not sent).
      expect(phase.figures.outcome.received + phase.figures.outcome.superseded).toBe(phase.figures.outcome.changes);
      expect(phase.figures.outcome.missing).toBe(0);
    }
    expect(Object.keys(results.peakRssBytes).sort()).toEqual(['bench', 'delivery-agent', 'export-decider', 'profile-projector', 'receiver', 'store']);
    for (const bytes of Object.values(results.peakRssBytes)) expect(bytes).toBeGreaterThan(0);
  });
});

// A small historical backfill beside live traffic: it finishes, every seeded profile arrives once, and it reports.
describe('npm run bench -- --quick --only backfill --profiles 300', () => {
  const bench = runBenchOnce(['--quick', '--only', 'backfill', '--profiles', '300']);


  it('exits 0 and prints the backfill figures and a CPU row per process', () => {
    expect(bench.run.code, bench.run.stderr).toBe(0);
    const rows = bench.run.stdout.split('\n').filter((line) => line.startsWith('| '));
    for (const label of ['backfill: every export requested', 'profiles/s delivered', '1,000,000 profiles', 'live latency during it']) {
      expect(rows.some((row) => row.includes(label)), `no row for "${label}"`).toBe(true);
    }
    for (const process of ['store', 'profile-projector', 'export-decider', 'delivery-agent', 'receiver', 'bench']) {
      expect(rows.some((row) => row.startsWith(`| ${process} `)), `no CPU row for ${process}`).toBe(true);
    }
    // The sum over the processes.
    expect(rows.some((row) => row.startsWith('| all '))).toBe(true);
  });

  it('backfilled every seeded profile exactly once and lost no live change', async () => {
    const results = JSON.parse(await readFile(join(bench.outDir, 'latest-backfill.json'), 'utf8')) as {
      suite: string;
      backfill: { exported: number; received: number; duplicates: number; completedSeconds: number; live: { changes: number; missing: number; duplicates: number } };
      baseline: { changes: number; missing: number };
    };
    expect(results.suite).toBe('backfill');
    expect(results.backfill).toMatchObject({ exported: 300, received: 300, duplicates: 0 });
    expect(results.backfill.completedSeconds).toBeGreaterThan(0);
    expect(results.backfill.live.changes).toBeGreaterThan(0);
    expect(results.backfill.live).toMatchObject({ missing: 0, duplicates: 0 });
    expect(results.baseline.missing).toBe(0);
  });
});

// The CSV import through the real CLI: the three runs report, and their counts are the expected ones.
describe('npm run bench -- --quick --only csv-import --profiles 500', () => {
  const bench = runBenchOnce(['--quick', '--only', 'csv-import', '--profiles', '500']);


  it('exits 0 and prints a row per run, each with the counts it expected', () => {
    expect(bench.run.code, bench.run.stderr).toBe(0);
    const rows = bench.run.stdout.split('\n').filter((line) => line.startsWith('| '));
    for (const label of ['first import: 500 written, 0 unchanged, 0 exited', 'the same file again: 0 written, 500 unchanged, 0 exited', 'a new version without the last 10 rows: 0 written, 490 unchanged, 10 exited']) {
      const row = rows.find((line) => line.startsWith(`| ${label} `));
      expect(row, `no row for "${label}"`).toBeDefined();
      expect(row!.trimEnd().endsWith('yes |'), row).toBe(true);
    }
  });

  it('writes the results as JSON with positive rates and CPU for the first import', async () => {
    const results = JSON.parse(await readFile(join(bench.outDir, 'latest-csv-import.json'), 'utf8')) as {
      suite: string;
      rows: number;
      imports: { label: string; wallMs: number; cliCpuSeconds: number; storeCpuSeconds: number; summary: { maxRssBytes: number } }[];
      figures: { rowsPerSecond: number; countsAsExpected: boolean }[];
    };
    expect(results.suite).toBe('csv-import');
    expect(results.rows).toBe(500);
    expect(results.figures.map((figure) => figure.countsAsExpected)).toEqual([true, true, true]);
    for (const figure of results.figures) expect(figure.rowsPerSecond).toBeGreaterThan(0);
    const [first] = results.imports;
    expect(first!.cliCpuSeconds).toBeGreaterThan(0);
    expect(first!.storeCpuSeconds).toBeGreaterThan(0);
    expect(first!.summary.maxRssBytes).toBeGreaterThan(0);
  });
});
