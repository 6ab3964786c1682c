import { createLruCache } from '@spillway/runtime';

/** An export as far as ordering goes: which one, and how new its state is. */
export interface SequencedExport {
  readonly exportId: string;
  readonly sequence: number;
  /** A dead letter sent again: it replays an export from before whatever came after it. */
  readonly replay?: boolean;
}

/**
 * Whether `later` (after `known` in the log) brings nothing newer: a lower sequence, or the same
 * export again. The same sequence under another export id is the same profile version exported
 * again with a newer document (a backfill after an audience was added to the dataflow): newer,
 * unless it is a replay, whose export came before.
 */
export function bringsNothingNewer(later: SequencedExport, known: SequencedExport): boolean {
  if (later.sequence !== known.sequence) return later.sequence < known.sequence;
  return later.exportId === known.exportId || later.replay === true;
}

/** The turn of the running export of a key. */
export interface Turn {
  /** Aborted once a newer export of the same key arrived: stop at the next wait, do not send again. */
  readonly superseded: AbortSignal;
  /** The newer export, once there is one. */
  supersededBy(): SequencedExport | undefined;
}

export type Admission = { readonly kind: 'go'; readonly turn: Turn } | { readonly kind: 'superseded'; readonly by: SequencedExport };

/**
 * Per (dataflow, profile): one export at a time, and never an older state after a newer one.
 *
 * Each export carries the whole mapped state, so only the newest one of a key is worth sending.
 * An export arriving behind one at least as new (bringsNothingNewer) is superseded at once; a
 * newer one replaces the export queued behind the running one (superseding it) and tells the running one to stop at its next
 * wait (a retry backoff). An attempt already on the wire finishes: it cannot be taken back.
 *
 * `enter` must be called in log order (synchronously as the consumer hands the events over).
 */
export interface ExportSequencer {
  enter(key: string, candidate: SequencedExport): Promise<Admission>;
  /** Ends the running export's turn (after its outcome is written); the one queued behind starts. */
  leave(key: string, turn: Turn): void;
  stats(): { readonly running: number; readonly queued: number };
}

interface Slot {
  readonly holder: SequencedExport;
  readonly controller: AbortController;
  by?: SequencedExport;
  readonly turn: Turn;
  admit?: (admission: Admission) => void;
}

interface KeyState {
  running?: Slot;
  queued?: Slot;
}

export function createExportSequencer(): ExportSequencer {
  const keys = new Map<string, KeyState>();

  const slotOf = (holder: SequencedExport): Slot => {
    const controller = new AbortController();
    const slot: Slot = {
      holder,
      controller,
      turn: { superseded: controller.signal, supersededBy: () => slot.by },
    };
    return slot;
  };

  return {
    enter(key, candidate) {
      let state = keys.get(key);
      if (state === undefined) {
        state = {};
        keys.set(key, state);
      }
      const newest = state.queued ?? state.running;
      if (newest !== undefined && bringsNothingNewer(candidate, newest.holder)) {
        return Promise.resolve({ kind: 'superseded', by: newest.holder });
      }
      const slot = slotOf(candidate);
      if (state.running === undefined) {
        state.running = slot;
        return Promise.resolve({ kind: 'go', turn: slot.turn });
      }
      state.queued?.admit?.({ kind: 'superseded', by: candidate });
      state.running.by = candidate;
      state.running.controller.abort();
      state.queued = slot;
      return new Promise<Admission>((resolve) => (slot.admit = resolve));
    },
    leave(key, turn) {
      const state = keys.get(key);
      if (state?.running?.turn !== turn) return;
      const next = state.queued;
      state.running = next;
      state.queued = undefined;
      if (next === undefined) keys.delete(key);
      else next.admit?.({ kind: 'go', turn: next.turn });
    },
    stats() {
      let running = 0;
      let queued = 0;
      for (const state of keys.values()) {
        if (state.running) running++;
        if (state.queued) queued++;
      }
      return { running, queued };
    },
  };
}

/**
 * The newest delivered export per (dataflow, profile), for the keys seen lately (bounded, least
 * recently used dropped): a replay or re-delivery of an older state is superseded by it.
 */
export interface DeliveredSequences {
  get(key: string): SequencedExport | undefined;
  note(key: string, delivered: SequencedExport): void;
}

export function createDeliveredSequences(maxKeys: number): DeliveredSequences {
  const newest = createLruCache<string, SequencedExport>(maxKeys);
  return {
    get: (key) => newest.get(key),
    note(key, delivered) {
      const known = newest.get(key);
      newest.set(key, known !== undefined && known.sequence > delivered.sequence ? known : delivered);
    },
  };
}
