export * from './engine.ts';
export { createMemoryEngine } from './memory-engine.ts';
export { openLmdbEngine } from './lmdb-engine.ts';
export type { LmdbEngineOptions } from './lmdb-engine.ts';
export type { OnDamagedFile } from './lmdb-data-file.ts';
export { DATA_FILE_NAME } from './lmdb-data-file.ts';
export * from './errors.ts';
export * from './append-limits.ts';
