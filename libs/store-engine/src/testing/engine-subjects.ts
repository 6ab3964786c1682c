import type { StoreEngine } from '../engine.ts';
import { createMemoryEngine } from '../memory-engine.ts';
import { openLmdbEngine } from '../lmdb-engine.ts';
import { capturingLogger, tempDir } from './fixtures.ts';

/** Every engine behind the gRPC layer must behave the same; add an engine here to hold it to the same rules. */
export interface EngineSubject {
  readonly name: string;
  readonly durable: boolean;
  make(): { open(): Promise<StoreEngine>; cleanup(): void };
}

export const engineSubjects: readonly EngineSubject[] = [
  {
    name: 'lmdb',
    durable: true,
    make() {
      const dir = tempDir();
      return { open: () => openLmdbEngine({ dataDir: dir.path, logger: capturingLogger().logger }), cleanup: dir.remove };
    },
  },
  { name: 'memory', durable: false, make: () => ({ open: async () => createMemoryEngine(), cleanup: () => {} }) },
];
