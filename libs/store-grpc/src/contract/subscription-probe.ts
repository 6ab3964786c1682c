import type { ResolvedEvent, StreamSubscription } from '@eventstore/db-client';
import { eventually } from './contract-helpers.ts';

/** Records what a subscription delivers, in order, for assertions. */
export interface SubscriptionProbe {
  readonly events: ResolvedEvent[];
  /** How many events had arrived when each `caughtUp` came. */
  readonly caughtUpAfter: number[];
  readonly errors: unknown[];
  confirmed(): boolean;
  waitForEvents(count: number): Promise<void>;
  waitForCaughtUp(): Promise<void>;
  waitForError(): Promise<unknown>;
}

export function probe(subscription: StreamSubscription): SubscriptionProbe {
  const events: ResolvedEvent[] = [];
  const caughtUpAfter: number[] = [];
  const errors: unknown[] = [];
  let confirmed = false;
  subscription.on('data', (event: ResolvedEvent) => events.push(event));
  subscription.on('caughtUp', () => caughtUpAfter.push(events.length));
  subscription.on('confirmation', () => (confirmed = true));
  subscription.on('error', (error: unknown) => errors.push(error));
  return {
    events,
    caughtUpAfter,
    errors,
    confirmed: () => confirmed,
    waitForEvents: (count) => eventually(() => events.length >= count || errors.length > 0).then(() => rethrow(errors)),
    waitForCaughtUp: () => eventually(() => caughtUpAfter.length > 0 || errors.length > 0).then(() => rethrow(errors)),
    waitForError: async () => {
      await eventually(() => errors.length > 0);
      return errors[0];
    },
  };
}

function rethrow(errors: readonly unknown[]): void {
  if (errors.length > 0) throw errors[0];
}
