import type { Writable } from 'node:stream';

/**
 * Writes to a server stream honouring backpressure: when `write` reports a full buffer, waits for
 * 'drain' (or for the call to go away). Resolves false once the call is cancelled or closed, so
 * producers stop their work.
 */
export class CallWriter<T> {
  private readonly call: Writable & { cancelled?: boolean };
  private closed = false;
  private readonly closeListeners = new Set<() => void>();

  constructor(call: Writable & { cancelled?: boolean }) {
    this.call = call;
    const close = () => this.close();
    call.once('cancelled', close);
    call.once('close', close);
    call.once('error', close);
    call.once('finish', close);
  }

  get isOpen(): boolean {
    return !this.closed && !this.call.cancelled && !this.call.destroyed && !this.call.writableEnded;
  }

  /** Registers work to stop when the call ends; returns an unregister function. */
  onClose(listener: () => void): () => void {
    if (!this.isOpen) {
      listener();
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  async write(message: T): Promise<boolean> {
    if (!this.isOpen) return false;
    if (this.call.write(message)) return true;
    await new Promise<void>((resolve) => {
      let unregister = (): void => undefined;
      const done = () => {
        this.call.off('drain', done);
        unregister();
        resolve();
      };
      this.call.once('drain', done);
      unregister = this.onClose(done);
    });
    return this.isOpen;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
  }
}
