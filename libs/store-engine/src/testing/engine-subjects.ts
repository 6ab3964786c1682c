import type { StoreEngine } from '../engine.ts';
import { createMemoryEngine } from '../memory-engine.ts';
import { openLmdbEngine } from '../lmdb-engine.ts';
import type { LmdbEngineOptions } from '../lmdb-engine.ts';
import { capturingLogger, tempDir } from './fixtures.ts';

/** Every engine behind the gRPC layer must behave the same; add an engine here to hold it to the same rules. */
export interface EngineSubject {
  readonly name: string;
  readonly durable: boolean;
  /** The real clock and default sweep when not given. */
  make(timing?: EngineTiming): { open(): Promise<StoreEngine>; cleanup(): void };
}

export interface EngineTiming {
  readonly nowMicros?: () => number;
  /** How often the durable engine sweeps for events past their `$maxAge`. */
  readonly expiredEventsSweepMs?: number;
}

export const engineSubjects: readonly EngineSubject[] = [
  lmdbSubject('lmdb'),
  // Ids of each transaction in the B-tree by the next one: the idempotency rules read them from
  // the table rather than from memory (the default keeps 16,384 in memory first).
  lmdbSubject('lmdb, event ids in their table at once', { eventIdsFlushEvery: 1 }),
  { name: 'memory', durable: false, make: (timing = {}) => ({ open: async () => createMemoryEngine(timing), cleanup: () => {} }) },
];

function lmdbSubject(name: string, options: Pick<LmdbEngineOptions, 'eventIdsFlushEvery'> = {}): EngineSubject {
  return {
    name,
    durable: true,
    make(timing = {}) {
      const dir = tempDir();
      return { open: () => openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger, ...options, ...timing }), cleanup: dir.remove };
    },
  };
}
