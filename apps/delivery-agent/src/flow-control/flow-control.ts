import { endpointVerdictOf, failureSummaryOf, type DeliveryOutcome } from '@spillway/delivery';
import { defaultCircuit } from '@spillway/xdm';
import { admitRequest, closedCircuit, evolveCircuit, type CircuitEvent, type CircuitInput, type CircuitState } from './circuit-breaker.ts';
import type { FlowSettings } from './flow-settings.ts';
import { fullBucket, takeToken, type TokenBucket } from './token-bucket.ts';

export interface FlowControlOptions {
  readonly settingsOf: (destinationId: string) => FlowSettings;
  readonly now: () => Date;
  /** Each circuit transition, in order per destination (to write to `circuits-<destinationId>`). */
  readonly onTransition: (destinationId: string, event: CircuitEvent) => void;
}

/** Leave to send one request through a destination's circuit. */
export interface CircuitPass {
  readonly probe: boolean;
  /** Once, with what the request got; `undefined` when it was not sent after all. */
  report(outcome: DeliveryOutcome | undefined): void;
}

/**
 * The imperative shell around each destination's circuit breaker and rate limit: it keeps their
 * state, turns the pure decisions into waits, and wakes waiting exports when a circuit changes.
 * Destinations share nothing here, so one destination's waits never hold up another's.
 */
export interface FlowControl {
  /** A pass when the destination's circuit lets a request go now (no wait, so no delay for a closed circuit). */
  tryAdmit(destinationId: string): CircuitPass | undefined;
  /** Waits until the destination's circuit lets a request go. `undefined` when `signal` aborted first. */
  admit(destinationId: string, signal: AbortSignal): Promise<CircuitPass | undefined>;
  /** The wait for the destination's next request slot under its rate limit; `undefined` when it may go now. */
  rateTurn(destinationId: string, signal: AbortSignal): Promise<void> | undefined;
  isOpen(destinationId: string): boolean;
  /** Takes up the state written before a restart (the last event of `circuits-<destinationId>`). */
  restore(destinationId: string, event: CircuitEvent): void;
  openCircuits(): readonly string[];
}

/** Requests waiting for a token of one destination, first come first served. */
interface RateQueue {
  bucket?: TokenBucket;
  readonly waiting: (() => void)[];
  timer?: ReturnType<typeof setTimeout>;
}

interface Circuit {
  state: CircuitState;
  readonly waiters: Set<() => void>;
}

/** The probe interval of a circuit restored before its destination's settings are known. */
const restoreFallback = { openAfterMs: defaultCircuit.openAfterSeconds * 1000, probeEveryMs: defaultCircuit.probeEverySeconds * 1000 };

export function createFlowControl(options: FlowControlOptions): FlowControl {
  const circuits = new Map<string, Circuit>();
  const rateQueues = new Map<string, RateQueue>();
  const nowMs = () => options.now().getTime();

  const circuitOf = (destinationId: string): Circuit => {
    let circuit = circuits.get(destinationId);
    if (circuit === undefined) {
      circuit = { state: closedCircuit, waiters: new Set() };
      circuits.set(destinationId, circuit);
    }
    return circuit;
  };

  const step = (destinationId: string, input: CircuitInput) => {
    const circuit = circuitOf(destinationId);
    const settings = options.settingsOf(destinationId).circuit;
    // Switched off (or not configured yet): requests count for nothing, and a circuit left open closes.
    // A restored state is taken as written: the destination's settings may come later in the log.
    const effective = settings === undefined && input.type !== 'Restored' ? { type: 'CircuitDisabled' as const, at: nowMs() } : input;
    const { state, events } = evolveCircuit(circuit.state, effective, settings ?? restoreFallback, destinationId);
    circuit.state = state;
    for (const event of events) options.onTransition(destinationId, event);
    for (const wake of [...circuit.waiters]) wake();
  };

  const passFor = (destinationId: string, probe: boolean): CircuitPass => {
    let reported = false;
    return {
      probe,
      report(outcome) {
        if (reported) return;
        reported = true;
        const at = nowMs();
        const verdict = outcome === undefined ? 'inconclusive' : endpointVerdictOf(outcome);
        if (verdict === 'answered') step(destinationId, { type: 'RequestAnswered', at });
        else if (verdict === 'failing' && outcome?.kind === 'failed') step(destinationId, { type: 'RequestFailed', at, probe, error: failureSummaryOf(outcome) });
        else if (probe) step(destinationId, { type: 'ProbeInconclusive', at });
      },
    };
  };

  /** Until the circuit changes, `until` (epoch ms) passes, or `signal` aborts. */
  const nextChange = (circuit: Circuit, until: number | undefined, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        circuit.waiters.delete(done);
        signal.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      };
      const timer = until === undefined ? undefined : setTimeout(done, Math.max(0, until - nowMs()));
      circuit.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  /** A pass, or when to look again (`until` undefined: when the circuit changes). */
  const passOrWait = (destinationId: string): CircuitPass | { readonly until: number | undefined } => {
    const circuit = circuitOf(destinationId);
    if (options.settingsOf(destinationId).circuit === undefined) {
      if (circuit.state.kind === 'open') step(destinationId, { type: 'CircuitDisabled', at: nowMs() });
      return passFor(destinationId, false);
    }
    const admission = admitRequest(circuit.state, nowMs());
    if (admission.kind === 'send') return passFor(destinationId, false);
    if (admission.kind === 'wait') return { until: admission.until };
    step(destinationId, { type: 'ProbeSent', at: nowMs() });
    return passFor(destinationId, true);
  };

  /** Lets waiting requests go while there are tokens; then sleeps until the next one is earned. */
  const pump = (destinationId: string, queue: RateQueue) => {
    queue.timer = undefined;
    while (queue.waiting.length > 0) {
      const limit = options.settingsOf(destinationId).rateLimit;
      if (limit !== undefined) {
        const now = nowMs();
        const result = takeToken(queue.bucket ?? fullBucket(limit, now), now, limit);
        queue.bucket = result.bucket;
        if (!result.taken) {
          queue.timer = setTimeout(() => pump(destinationId, queue), result.waitMs);
          return;
        }
      }
      queue.waiting.shift()?.();
    }
    // Kept while it has a bucket: a destination that goes quiet and comes back finds its tokens as earned.
  };

  const rateQueueOf = (destinationId: string): RateQueue => {
    let queue = rateQueues.get(destinationId);
    if (queue === undefined) {
      queue = { waiting: [] };
      rateQueues.set(destinationId, queue);
    }
    return queue;
  };

  return {
    tryAdmit(destinationId) {
      const decided = passOrWait(destinationId);
      return 'report' in decided ? decided : undefined;
    },
    async admit(destinationId, signal) {
      for (;;) {
        if (signal.aborted) return undefined;
        const decided = passOrWait(destinationId);
        if ('report' in decided) return decided;
        await nextChange(circuitOf(destinationId), decided.until, signal);
      }
    },
    rateTurn(destinationId, signal) {
      const limit = options.settingsOf(destinationId).rateLimit;
      if (limit === undefined) return undefined;
      const queue = rateQueueOf(destinationId);
      if (queue.waiting.length === 0) {
        const now = nowMs();
        const result = takeToken(queue.bucket ?? fullBucket(limit, now), now, limit);
        queue.bucket = result.bucket;
        if (result.taken) return undefined;
      }
      return new Promise<void>((resolve, reject) => {
        const go = () => {
          signal.removeEventListener('abort', abandon);
          resolve();
        };
        const abandon = () => {
          const index = queue.waiting.indexOf(go);
          if (index >= 0) queue.waiting.splice(index, 1);
          reject(signal.reason);
        };
        if (signal.aborted) return reject(signal.reason);
        queue.waiting.push(go);
        signal.addEventListener('abort', abandon, { once: true });
        if (queue.timer === undefined) pump(destinationId, queue);
      });
    },
    isOpen: (destinationId) => circuits.get(destinationId)?.state.kind === 'open',
    restore(destinationId, event) {
      step(destinationId, { type: 'Restored', at: nowMs(), event });
    },
    openCircuits: () => [...circuits].flatMap(([destinationId, circuit]) => (circuit.state.kind === 'open' ? [destinationId] : [])),
  };
}
