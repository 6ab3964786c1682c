import type { Table } from './output/table.ts';

/** What every suite gets from `main.ts`. */
export interface BenchContext {
  /** Smaller counts and shorter phases: a smoke run, not a measurement. */
  readonly quick: boolean;
  /** Length of each timed phase (e.g. single-event appends). */
  readonly phaseDurationMs: number;
  /** `--profiles`: how many profiles the backfill suite seeds, rows the csv-import suite imports (each suite's own default when undefined). */
  readonly profiles: number | undefined;
  /** A progress line for the person watching (stderr); results go in the report. */
  progress(message: string): void;
}

export interface SuiteReport {
  /** Printed to stdout, in order. */
  readonly tables: readonly Table[];
  /** Written as `<out-dir>/<suite>-<timestamp>.json` and `latest-<suite>.json`, inside a common envelope. */
  readonly results: Readonly<Record<string, unknown>>;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<SuiteReport>;
}
