import type { StoreEngine } from '@spillway/store-engine';

/**
 * Sleeps a subscription until the engine commits past a head position, or until the call goes
 * away. No polling: woken by engine.onCommitted.
 */
export class CommitWaiter {
  private readonly engine: StoreEngine;
  private readonly stopListening: () => void;
  private wake: (() => void) | undefined;
  private threshold = -1n;
  private closed = false;

  constructor(engine: StoreEngine) {
    this.engine = engine;
    this.stopListening = engine.onCommitted((head) => {
      if (this.wake !== undefined && head > this.threshold) this.release();
    });
  }

  /** Resolves once the head is beyond `head` (at once if it already is) or the waiter is closed. */
  waitBeyond(head: bigint): Promise<void> {
    if (this.closed || this.engine.headPosition() > head) return Promise.resolve();
    this.threshold = head;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** As waitBeyond, but for at most `ms`: true when the head moved (or the waiter closed), false when the time ran out. */
  async waitBeyondFor(head: bigint, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.waitBeyond(head).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    this.release();
  }

  private release(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
