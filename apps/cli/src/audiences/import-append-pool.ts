/**
 * Runs at most `limit` appends at once. `run` resolves as soon as the task has a slot (not when
 * it is done), so a reader awaiting it is held back while the store is behind: memory stays
 * bounded by `limit` rows in flight. The first failure is thrown by the next `run` or by `drain`.
 */
export class AppendPool {
  private readonly limit: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private failure: { readonly error: unknown } | undefined;
  private idle: (() => void) | undefined;

  constructor(limit: number) {
    this.limit = limit;
  }

  async run(task: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.throwIfFailed();
    this.inFlight++;
    task().then(
      () => this.release(),
      (error: unknown) => {
        this.failure ??= { error };
        this.release();
      },
    );
  }

  /** Waits for every task started so far. */
  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.throwIfFailed();
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
    if (this.inFlight === 0) this.idle?.();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
