import type { StoreEngine } from '../engine.ts';
import { createMemoryEngine } from '../memory-engine.ts';
import { openLmdbEngine } from '../lmdb-engine.ts';
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
  {
    name: 'lmdb',
    durable: true,
    make(timing = {}) {
      const dir = tempDir();
      return { open: () => openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger, ...timing }), cleanup: dir.remove };
    },
  },
  { name: 'memory', durable: false, make: (timing = {}) => ({ open: async () => createMemoryEngine(timing), cleanup: () => {} }) },
];
