import { startStopwatch } from './timing.ts';

export interface WorkerBudget {
  /** Stop issuing new operations after this long. */
  readonly durationMs: number;
  /** And never more than this many operations in all. */
  readonly maxOperations: number;
}

export interface WorkerRun {
  readonly operations: number;
  /** From the first operation issued to the last one settled. */
  readonly elapsedMs: number;
}

/**
 * Runs `workers` loops at once, each awaiting one `operation` at a time, until the budget is
 * spent; in-flight operations are awaited, so every counted operation has been acknowledged.
 */
export async function runWorkers(
  workers: number,
  budget: WorkerBudget,
  operation: (worker: number, sequence: number) => Promise<void>,
): Promise<WorkerRun> {
  const stopwatch = startStopwatch();
  let issued = 0;
  const mayIssue = () => issued < budget.maxOperations && stopwatch.elapsedMs() < budget.durationMs;
  const loop = async (worker: number) => {
    for (let sequence = 0; mayIssue(); sequence++) {
      issued++;
      await operation(worker, sequence);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, worker) => loop(worker)));
  return { operations: issued, elapsedMs: stopwatch.elapsedMs() };
}
