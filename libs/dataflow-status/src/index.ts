export { readDataflowCounts, type DataflowCounts, type DataflowCountsReader } from './dataflow-counts.ts';
export { createLatencySummary } from './latency-summary.ts';
