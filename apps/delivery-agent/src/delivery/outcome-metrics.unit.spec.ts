import { createAgentMetrics, createMetricsRegistry, readSample } from '@spillway/metrics';
import { describe, expect, it } from 'vitest';
import { observeOutcome } from './outcome-metrics.ts';

const base = {
  exportId: '00000000-0000-4000-8000-000000000001',
  sequence: 1,
  dataflowId: 'flow-x',
  destinationId: 'dest-x',
  profileId: 'p-1',
};

describe('outcome metrics', () => {
  it('count a request per attempt that was sent, none for a destination that could not be used, and the latency of a delivery', async () => {
    const registry = createMetricsRegistry('agent-test');
    const metrics = createAgentMetrics(registry);
    observeOutcome(metrics, {
      type: 'ExportAttemptFailed',
      id: 'a',
      data: { ...base, attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5, errorCode: 'ECONNREFUSED', reason: 'refused', nextAttemptAt: '2026-01-01T00:00:01.000Z' },
    });
    observeOutcome(metrics, {
      type: 'ExportDelivered',
      id: 'b',
      data: { ...base, attempts: 2, ingestedAt: '2026-01-01T00:00:00.000Z', status: 204, durationMs: 40, deliveredAt: '2026-01-01T00:00:01.500Z' },
    });
    observeOutcome(metrics, {
      type: 'ExportFailed',
      id: 'c',
      data: { ...base, profileId: 'p-2', attempts: 0, ingestedAt: '2026-01-01T00:00:00.000Z', reason: "destination 'dest-x' was deleted", failedAt: '2026-01-01T00:00:02.000Z' },
    });
    const text = await registry.metrics();
    const flow = { dataflow: 'flow-x' };
    expect(readSample(text, 'spillway_delivery_requests_total', { ...flow, status_class: 'error' })).toBe(1);
    expect(readSample(text, 'spillway_delivery_requests_total', { ...flow, status_class: '2xx' })).toBe(1);
    expect(readSample(text, 'spillway_delivery_retries_total', flow)).toBe(1);
    expect(readSample(text, 'spillway_exports_failed_total', flow)).toBe(1);
    expect(readSample(text, 'spillway_export_latency_seconds_sum', flow)).toBeCloseTo(1.5);
    expect(readSample(text, 'spillway_delivery_duration_seconds_sum', flow)).toBeCloseTo(0.04);
  });
});
