export * from './logger.ts';
export * from './shutdown.ts';
export * from './lru-cache.ts';
export * from './exit-when-failed.ts';
export * from './json-syntax.ts';
