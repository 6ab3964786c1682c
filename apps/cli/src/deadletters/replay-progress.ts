export interface ReplayProgressOptions {
  readonly total: number;
  readonly now: () => number;
  /** A terminal gets a bar rewritten in place; anything else gets JSON lines. */
  readonly tty: boolean;
  readonly write: (text: string) => void;
  /** @defaultValue 200 ms on a terminal, 1 s otherwise */
  readonly everyMs?: number;
}

const barWidth = 30;

/** Replay progress on stderr, so stdout (the summary, or --json) stays clean. */
export class ReplayProgress {
  private readonly options: ReplayProgressOptions;
  private lastShownAt = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayProgressOptions) {
    this.options = options;
  }

  update(done: number): void {
    const now = this.options.now();
    if (now - this.lastShownAt < (this.options.everyMs ?? (this.options.tty ? 200 : 1_000))) return;
    this.lastShownAt = now;
    this.show(done, false);
  }

  finish(done: number): void {
    this.show(done, true);
  }

  private show(done: number, final: boolean): void {
    const { total } = this.options;
    const share = total === 0 ? 1 : done / total;
    if (this.options.tty) {
      const filled = Math.round(share * barWidth);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
      this.options.write(`\r\u001b[2Kreplaying ${bar} ${Math.round(share * 100)}%  ${done}/${total}${final ? '\n' : ''}`);
      return;
    }
    this.options.write(`${JSON.stringify({ progress: final ? 'done' : 'replaying', replayed: done, total })}\n`);
  }
}
