export * from './engine.ts';
export { createMemoryEngine } from './memory-engine.ts';
