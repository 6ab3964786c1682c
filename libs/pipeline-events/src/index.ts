export * from './internal-streams.ts';
