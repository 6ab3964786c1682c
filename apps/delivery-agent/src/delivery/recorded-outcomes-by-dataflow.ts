import type { RecordedOutcomes } from './recorded-outcomes.ts';

/**
 * The outcomes recorded after each dataflow consumer's own checkpoint, seen by the one export
 * handler the consumers share. A run key (export id, replay id) belongs to one dataflow, so
 * looking it up in each set in turn finds it in its own.
 */
export interface RecordedOutcomesByDataflow extends RecordedOutcomes {
  set(dataflowId: string, recorded: RecordedOutcomes): void;
  /** Forgets a dataflow's set, once its consumer is past everything recorded before its start. */
  drop(dataflowId: string): void;
}

export function createRecordedOutcomesByDataflow(): RecordedOutcomesByDataflow {
  const sets = new Map<string, RecordedOutcomes>();
  const firstFound = <T>(lookUp: (recorded: RecordedOutcomes) => T, found: (value: T) => boolean, none: T): T => {
    for (const recorded of sets.values()) {
      const value = lookUp(recorded);
      if (found(value)) return value;
    }
    return none;
  };
  return {
    set: (dataflowId, recorded) => void sets.set(dataflowId, recorded),
    drop(dataflowId) {
      sets.get(dataflowId)?.clear();
      sets.delete(dataflowId);
    },
    consume: (runKey) => firstFound((recorded) => recorded.consume(runKey), Boolean, false),
    takeAttempts: (runKey) => firstFound((recorded) => recorded.takeAttempts(runKey), (attempts) => attempts.length > 0, []),
    takeDeadLetter: (runKey) => firstFound((recorded) => recorded.takeDeadLetter(runKey), (deadLetter) => deadLetter !== undefined, undefined),
    size: () => [...sets.values()].reduce((total, recorded) => total + recorded.size(), 0),
    clear() {
      for (const recorded of sets.values()) recorded.clear();
      sets.clear();
    },
  };
}
