export * from './export-decision.ts';
export * from './consent.ts';
export * from './dataflow-index.ts';
export * from './decide-exports.ts';
export * from './dataflow-config.ts';
export * from './backfill.ts';
