import { setTimeout as delay } from 'node:timers/promises';
import { deliverExport, type DeliverOptions } from './deliver.ts';
import type { DeliveryOutcome } from './outcome.ts';
import { defaultRetryPolicy, nextRetryDelay, type RetryDecision, type RetryPolicy } from './retry-policy.ts';
import type { DeliveryTarget, ExportRequest } from './target.ts';

export interface DeliverWithRetryOptions extends DeliverOptions, Partial<RetryPolicy> {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface RetriedDelivery {
  /** The last attempt's outcome. */
  readonly outcome: DeliveryOutcome;
  readonly attempts: number;
  readonly stoppedBecause: Extract<RetryDecision, { retry: false }>['reason'];
}

/**
 * A small bounded retry loop in memory (the delivery agent runs its own durable loop on `nextRetryDelay`).
 * With `signal`, an abort stops the loop at once (request in flight or backoff) by throwing
 * the signal's reason: the export was neither delivered nor failed, and nothing should be recorded.
 */
export async function deliverWithRetry(request: ExportRequest, target: DeliveryTarget, options: DeliverWithRetryOptions): Promise<RetriedDelivery> {
  const policy: RetryPolicy = {
    attempts: options.attempts ?? defaultRetryPolicy.attempts,
    baseDelayMs: options.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? defaultRetryPolicy.maxRetryAfterMs,
  };
  const signal = options.signal;
  const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, signal ? { signal } : {}));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    const outcome = await deliverExport(request, target, options);
    signal?.throwIfAborted();
    const decision = nextRetryDelay(attempt, outcome, policy, random);
    if (!decision.retry) return { outcome, attempts: attempt, stoppedBecause: decision.reason };
    options.logger.debug('retrying export', { exportId: request.exportId, attempt, delayMs: decision.delayMs });
    await sleep(decision.delayMs);
  }
}
