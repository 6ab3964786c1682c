import { START, streamNameFilter } from '@eventstore/db-client';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { perSecond } from '../../measure/timing.ts';
import { selectedPrefix } from './workload.ts';

export interface CatchUpFigures {
  readonly filter: 'none' | `stream prefix ${string}`;
  /** Events delivered to the subscriber. */
  readonly events: number;
  /** Events in $all the subscription went over (all of them, delivered or filtered out). */
  readonly scannedEvents: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly scannedEventsPerSecond: number;
}

export class CatchUpTimeoutError extends Error {
  readonly type = 'catch-up-timeout';
  readonly received: number;
  readonly expected: number;
  constructor(received: number, expected: number, timeoutMs: number) {
    super(`catch-up subscription got ${received} of ${expected} events and no caughtUp within ${timeoutMs} ms`);
    this.name = 'CatchUpTimeoutError';
    this.received = received;
    this.expected = expected;
  }
}

interface CatchUpPlan {
  readonly filtered: boolean;
  /** From the readAll phase: how many events a subscription must deliver before it counts as caught up. */
  readonly logEvents: number;
  readonly selectedEvents: number;
  readonly timeoutMs: number;
}

/**
 * subscribeToAll from the start; timed until the server said caughtUp and every event written
 * has arrived (caughtUp can overtake events still in the client's buffers).
 */
export async function measureCatchUp(client: EventStoreDBClient, plan: CatchUpPlan): Promise<CatchUpFigures> {
  const expected = plan.filtered ? plan.selectedEvents : plan.logEvents;
  const startedAt = performance.now();
  const subscription = client.subscribeToAll({
    fromPosition: START,
    ...(plan.filtered ? { filter: streamNameFilter({ prefixes: [selectedPrefix] }) } : {}),
  });
  let received = 0;
  let endedAt = startedAt;
  try {
    await new Promise<void>((resolve, reject) => {
      let caughtUp = false;
      const timer = setTimeout(() => reject(new CatchUpTimeoutError(received, expected, plan.timeoutMs)), plan.timeoutMs);
      const finishIfDone = () => {
        if (!caughtUp || received < expected) return;
        endedAt = performance.now();
        clearTimeout(timer);
        resolve();
      };
      subscription.on('data', () => {
        received++;
        finishIfDone();
      });
      subscription.on('caughtUp', () => {
        caughtUp = true;
        finishIfDone();
      });
      subscription.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await subscription.unsubscribe();
  }
  const elapsedMs = endedAt - startedAt;
  return {
    filter: plan.filtered ? `stream prefix ${selectedPrefix}` : 'none',
    events: received,
    scannedEvents: plan.logEvents,
    elapsedMs,
    eventsPerSecond: perSecond(received, elapsedMs),
    scannedEventsPerSecond: perSecond(plan.logEvents, elapsedMs),
  };
}
