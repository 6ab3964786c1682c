import type { DeciderConfig } from '../configuration/decider-config.ts';
import type { ConfigMessage, ConfigurationFollower } from '../configuration/configuration-follower.ts';

/** The concurrency key every configuration event shares, so they apply one after another in log order. */
export const configurationKey = 'configuration';

interface Ticket {
  /** How many configuration events came before this profile change in the log. */
  readonly epoch: number;
  config: DeciderConfig | undefined;
  waiters: ((config: DeciderConfig | undefined) => void)[];
}

export interface ConfigSequencer {
  /**
   * The consumer's concurrency key, which it asks for each event at dispatch, in $all order: a
   * profile's stream for a profile change, `configurationKey` for a configuration event. It also
   * notes how many configuration events precede the message, which is what `configAt` answers by.
   */
  keyAtDispatch(message: { readonly streamId: string; readonly event: { readonly type: string } }): string;
  /**
   * Applies a configuration event (in log order, on the configuration key) and wakes the changes
   * waiting for it. Returns the backfill hook's promise when the event asked for a backfill.
   */
  applyConfig(message: ConfigMessage): Promise<void> | void;
  /**
   * The configuration as of the profile change's place in the log: every configuration event
   * before it applied, none after. Undefined once released (stopping): the change is left
   * undecided, and since the configuration event it waits for is then never finished either,
   * the checkpoint stays before both and they come again after the restart.
   */
  configAt(message: object): Promise<DeciderConfig | undefined>;
  /** Stops waiting: pending `configAt` answer undefined. */
  release(): void;
}

/**
 * Lets profile changes be decided side by side while configuration events keep their place in
 * the log. Snapshots are immutable, so each change is decided against the snapshot of its own
 * epoch (the configuration events before it), even while a later configuration event is already
 * applied; a change only waits when the configuration event just before it is not applied yet.
 * Without keyed concurrency (no `keyAtDispatch` calls) every change gets the current snapshot,
 * which in sequential handling is the one of its place in the log.
 */
export function createConfigSequencer(follower: ConfigurationFollower): ConfigSequencer {
  const tickets = new WeakMap<object, Ticket>();
  const waiting = new Map<number, Ticket[]>();
  let dispatchedEpoch = 0;
  let appliedEpoch = 0;
  let released = false;

  return {
    keyAtDispatch(message) {
      if (message.event.type !== 'ProfileChanged') {
        tickets.set(message, { epoch: ++dispatchedEpoch, config: undefined, waiters: [] });
        return configurationKey;
      }
      const ready = appliedEpoch === dispatchedEpoch;
      const ticket: Ticket = { epoch: dispatchedEpoch, config: ready ? follower.current() : undefined, waiters: [] };
      tickets.set(message, ticket);
      if (!ready) {
        const queue = waiting.get(ticket.epoch);
        if (queue) queue.push(ticket);
        else waiting.set(ticket.epoch, [ticket]);
      }
      return message.streamId;
    },
    applyConfig(message) {
      const backfillRecorded = follower.apply(message);
      const epoch = tickets.get(message)?.epoch;
      if (epoch === undefined) return backfillRecorded;
      appliedEpoch = epoch;
      const config = follower.current();
      for (const ticket of waiting.get(epoch) ?? []) {
        ticket.config = config;
        for (const wake of ticket.waiters.splice(0)) wake(config);
      }
      waiting.delete(epoch);
      return backfillRecorded;
    },
    configAt(message) {
      const ticket = tickets.get(message);
      if (!ticket) return Promise.resolve(follower.current());
      if (ticket.config || released) return Promise.resolve(ticket.config);
      return new Promise((resolve) => ticket.waiters.push(resolve));
    },
    release() {
      released = true;
      for (const ticket of [...waiting.values()].flat()) for (const wake of ticket.waiters.splice(0)) wake(undefined);
      waiting.clear();
    },
  };
}
