import type { DataflowCounts } from '@spillway/dataflow-status';

export function countsLine(counts: DataflowCounts | undefined): string {
  if (counts === undefined) return 'counts: not available yet';
  const latency = counts.latencyMs ? `, latency p50 ${counts.latencyMs.p50} ms, p95 ${counts.latencyMs.p95} ms` : '';
  return `counts: received ${counts.received}, exported ${counts.exported}, delivered ${counts.delivered}, failed ${counts.failed}, superseded ${counts.superseded}, dead-lettered ${counts.deadLettered}${latency}`;
}
