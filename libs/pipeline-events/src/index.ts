export * from './internal-streams.ts';
export * from './backfill-stream.ts';
export * from './health-streams.ts';
export * from './counts-snapshot-stream.ts';
export * from './delivery-records.ts';
