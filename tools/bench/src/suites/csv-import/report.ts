import { formatFigure, formatMebibytes, type Table } from '../../output/table.ts';
import type { ImportSummary } from './import-run.ts';

/** One import of the suite, with what the store and the machine did meanwhile. */
export interface MeasuredImport {
  readonly label: string;
  readonly summary: ImportSummary;
  readonly wallMs: number;
  readonly cliCpuSeconds: number;
  readonly storeCpuSeconds: number;
  /** Cores the whole machine kept busy during the run. */
  readonly machineCores: number;
  /** What the summary should have said: the run's counts are part of the measurement. */
  readonly expected: Readonly<Pick<ImportSummary, 'outcome' | 'written' | 'unchanged' | 'exited'>>;
}

export interface CsvImportRun {
  readonly rows: number;
  readonly fileBytes: number;
  readonly concurrency: number;
  readonly imports: readonly MeasuredImport[];
  readonly storePeakRssBytes: number;
}

export const rowsPerSecond = (run: MeasuredImport): number => (run.summary.rows / run.wallMs) * 1000;

export function countsAsExpected(run: MeasuredImport): boolean {
  return (['outcome', 'written', 'unchanged', 'exited'] as const).every((key) => run.summary[key] === run.expected[key]);
}

const seconds = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} m ${formatFigure((ms % 60_000) / 1000)} s` : `${formatFigure(ms / 1000)} s`);
const perRowMs = (cpuSeconds: number, rows: number) => formatFigure((cpuSeconds * 1000) / rows);

export function importsTable(run: CsvImportRun): Table {
  const first = run.imports[0];
  const extrapolated = first !== undefined && run.rows !== 1_000_000 ? ` (1,000,000 rows at this rate: ${seconds((1_000_000 / rowsPerSecond(first)) * 1000)}, extrapolated)` : '';
  return {
    title: `spillway audiences import: ${formatFigure(run.rows)} rows through the CLI into the durable store`,
    columns: ['run', 'wall time', 'rows/s', 'CLI CPU s', 'CLI ms/row', 'store CPU s', 'store ms/row', 'CLI peak RSS (MiB)', 'machine cores', 'counts as expected'],
    rows: run.imports.map((measured) => [
      `${measured.label}: ${formatFigure(measured.summary.written)} written, ${formatFigure(measured.summary.unchanged)} unchanged, ${formatFigure(measured.summary.exited)} exited`,
      seconds(measured.wallMs),
      formatFigure(rowsPerSecond(measured)),
      formatFigure(measured.cliCpuSeconds),
      perRowMs(measured.cliCpuSeconds, measured.summary.rows),
      formatFigure(measured.storeCpuSeconds),
      perRowMs(measured.storeCpuSeconds, measured.summary.rows),
      formatMebibytes(measured.summary.maxRssBytes),
      formatFigure(measured.machineCores),
      countsAsExpected(measured) ? 'yes' : `no (expected ${JSON.stringify(measured.expected)})`,
    ]),
    notes: [
      `a generated file of ${formatFigure(run.rows)} rows (${formatMebibytes(run.fileBytes)} MiB): an identity column imported with --identity-namespace and two mapped attribute columns, so 3 events in one append per row; --concurrency ${run.concurrency}${extrapolated}`,
      'the CLI runs as its own process (this Node), against a store process on a fresh data directory (LMDB, durable: every acknowledged append is flushed); the services are not running, so the figures are the import and the store alone',
      `store peak RSS ${formatMebibytes(run.storePeakRssBytes)} MiB; machine cores include the CLI and the store: what is left over is other processes`,
    ],
  };
}
