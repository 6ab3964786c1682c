/** What an import has done so far, as shown on stderr. */
export interface ImportCounts {
  rowsRead: number;
  written: number;
  unchanged: number;
  bad: number;
  exited: number;
  bytesRead: number;
}

export interface ProgressOptions {
  readonly totalBytes: number;
  readonly now: () => number;
  /** A terminal gets one line rewritten in place; anything else gets a JSON line every `jsonEveryMs`. */
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly jsonEveryMs?: number;
}

/** Progress on stderr, so stdout (the summary, or --json) stays clean. */
export class ImportProgress {
  private readonly options: ProgressOptions;
  private readonly startedAt: number;
  private lastShownAt = 0;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.startedAt = options.now();
  }

  /** Called often; shows at most every 200 ms on a terminal, every jsonEveryMs (2 s) otherwise. */
  update(counts: ImportCounts): void {
    const now = this.options.now();
    const every = this.options.tty ? 200 : (this.options.jsonEveryMs ?? 2_000);
    if (now - this.lastShownAt < every) return;
    this.lastShownAt = now;
    this.show(counts, now, false);
  }

  finish(counts: ImportCounts): void {
    this.show(counts, this.options.now(), true);
  }

  private show(counts: ImportCounts, now: number, final: boolean): void {
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
    const rate = Math.round(counts.rowsRead / seconds);
    const percent = this.options.totalBytes === 0 ? 100 : Math.min(100, (counts.bytesRead / this.options.totalBytes) * 100);
    if (this.options.tty) {
      const line =
        `${final ? 'imported' : 'importing'}: ${percent.toFixed(1)}% of the file, ${counts.rowsRead} rows read, ${counts.written} written, ` +
        `${counts.unchanged} unchanged, ${counts.bad} bad, ${counts.exited} exited, ${rate} rows/s`;
      this.options.write(`\r\u001b[2K${line}${final ? '\n' : ''}`);
      return;
    }
    const progress = { progress: final ? 'done' : 'importing', ...counts, rowsPerSecond: rate, percentOfFile: Number(percent.toFixed(1)), elapsedMs: now - this.startedAt };
    this.options.write(`${JSON.stringify(progress)}\n`);
  }
}
