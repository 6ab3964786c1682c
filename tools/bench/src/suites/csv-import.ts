import { availableParallelism, tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startStoreProcess, type StoreProcess } from '@spillway/testing';
import { sampleProcess } from '../measure/process-stats.ts';
import { busyCoresBetween, sampleSystemCpu } from '../measure/system-cpu.ts';
import type { BenchContext, Suite } from '../suite.ts';
import { runImport } from './csv-import/import-run.ts';
import { writeMembersFile } from './csv-import/members-file.ts';
import { countsAsExpected, importsTable, rowsPerSecond, type CsvImportRun, type MeasuredImport } from './csv-import/report.ts';

/** Rows the new version of the file leaves out: their profiles exit the audience. */
const droppedRows = 10;
const concurrency = 128;

/**
 * The README's CSV import figures, reproducible: a generated file imported through the CLI
 * (first import, the same file again, a new version without the last rows), each run's wall
 * time, rows/s, the CLI's and the store's CPU, and the CLI's peak RSS.
 */
export const csvImportSuite: Suite = {
  name: 'csv-import',
  description: 'a generated CSV audience through `spillway audiences import` into the durable store: first import, the same file again, a new version',
  async run(context) {
    const rows = context.profiles ?? (context.quick ? 2_000 : 1_000_000);
    if (rows <= droppedRows) throw new Error(`csv-import needs more than ${droppedRows} rows (--profiles)`);
    const dir = await mkdtemp(join(tmpdir(), 'spillway-bench-csv-'));
    const store = await startStoreProcess();
    try {
      const file = join(dir, 'members.csv');
      const newVersion = join(dir, 'members-v2.csv');
      const fileBytes = await writeMembersFile(file, rows);
      await writeMembersFile(newVersion, rows - droppedRows);
      context.progress(`csv-import: ${rows} rows written to ${file}; store pid ${store.pid}`);
      const imports = [
        await measureImport(context, store, { label: 'first import', file, expected: { outcome: 'imported', written: rows, unchanged: 0, exited: 0 } }),
        await measureImport(context, store, { label: 'the same file again', file, expected: { outcome: 'already-imported', written: 0, unchanged: rows, exited: 0 } }),
        await measureImport(context, store, {
          label: `a new version without the last ${droppedRows} rows`,
          file: newVersion,
          expected: { outcome: 'imported', written: 0, unchanged: rows - droppedRows, exited: droppedRows },
        }),
      ];
      const run: CsvImportRun = { rows, fileBytes, concurrency, imports, storePeakRssBytes: (await sampleProcess(store.pid)).peakRssBytes };
      return {
        tables: [importsTable(run)],
        results: {
          ...run,
          cores: availableParallelism(),
          figures: imports.map((measured) => ({ label: measured.label, rowsPerSecond: rowsPerSecond(measured), countsAsExpected: countsAsExpected(measured) })),
        },
      };
    } finally {
      await store.stop();
      await store.removeData();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

async function measureImport(
  context: BenchContext,
  store: StoreProcess,
  plan: { readonly label: string; readonly file: string; readonly expected: MeasuredImport['expected'] },
): Promise<MeasuredImport> {
  context.progress(`csv-import: ${plan.label}`);
  const [storeBefore, machineBefore] = await Promise.all([sampleProcess(store.pid), sampleSystemCpu()]);
  const run = await runImport({
    connectionString: store.connectionString,
    file: plan.file,
    audienceId: 'bench-members',
    concurrency,
    progress: (line) => context.progress(`csv-import: ${line}`),
    progressEveryMs: 10_000,
  });
  const [storeAfter, machineAfter] = await Promise.all([sampleProcess(store.pid), sampleSystemCpu()]);
  context.progress(`csv-import: ${plan.label}: ${Math.round(run.wallMs)} ms, ${run.summary.written} written, ${run.summary.unchanged} unchanged, ${run.summary.exited} exited`);
  return {
    label: plan.label,
    summary: run.summary,
    wallMs: run.wallMs,
    cliCpuSeconds: run.cliCpuSeconds,
    storeCpuSeconds: storeAfter.cpuSeconds - storeBefore.cpuSeconds,
    machineCores: busyCoresBetween(machineBefore, machineAfter, availableParallelism()),
    expected: plan.expected,
  };
}
