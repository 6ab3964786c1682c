/**
 * The server's running work: long-lived calls (subscriptions, batch-append streams) register a
 * shutdown hook; engine operations are tracked so the engine is closed only after they settle.
 */
export class ActiveCalls {
  private readonly shutdownHooks = new Set<() => void>();
  private readonly operations = new Set<Promise<unknown>>();
  private readonly subscriptionIds = new Set<string>();
  private stopping = false;

  register(onShutdown: () => void): () => void {
    if (this.stopping) {
      queueMicrotask(onShutdown);
      return () => undefined;
    }
    this.shutdownHooks.add(onShutdown);
    return () => void this.shutdownHooks.delete(onShutdown);
  }

  track<T>(operation: Promise<T>): Promise<T> {
    this.operations.add(operation);
    const forget = () => void this.operations.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  subscriptionStarted(id: string): () => void {
    this.subscriptionIds.add(id);
    return () => void this.subscriptionIds.delete(id);
  }

  get activeSubscriptions(): number {
    return this.subscriptionIds.size;
  }

  /** Asks every long-lived call to finish, then waits for in-flight engine operations. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const hook of [...this.shutdownHooks]) hook();
    this.shutdownHooks.clear();
    await Promise.allSettled([...this.operations]);
  }
}
