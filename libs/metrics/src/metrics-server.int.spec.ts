import { describe, expect, it } from 'vitest';
import { createAgentMetrics, createMetricsRegistry, MetricsPortError, parseMetricsPort, readSample, serveMetrics } from './index.ts';

describe('metrics server', () => {
  it('serves the registry on GET /metrics and 404 elsewhere', async () => {
    const registry = createMetricsRegistry('test-service');
    const metrics = createAgentMetrics(registry);
    metrics.requestSent('flow-a', 204);
    metrics.requestSent('flow-a', 503);
    metrics.requestSent('flow-a', undefined);
    metrics.delivered('flow-a', 0.3, 0.02);
    const server = await serveMetrics(registry, { port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      const text = await response.text();
      const requests = (statusClass: string) => readSample(text, 'spillway_delivery_requests_total', { dataflow: 'flow-a', status_class: statusClass, service: 'test-service' });
      expect([requests('2xx'), requests('5xx'), requests('error'), requests('4xx')]).toEqual([1, 1, 1, undefined]);
      expect(readSample(text, 'spillway_export_latency_seconds_count', { dataflow: 'flow-a' })).toBe(1);
      expect(readSample(text, 'spillway_export_latency_seconds_sum', { dataflow: 'flow-a' })).toBeCloseTo(0.3);
      expect(text).toContain('spillway_nodejs_heap_size_total_bytes');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('reads the port setting: unset or off is no server, 0 a free port, anything else refused', () => {
    expect(parseMetricsPort(undefined)).toBe('off');
    expect(parseMetricsPort('off')).toBe('off');
    expect(parseMetricsPort('0')).toBe(0);
    expect(parseMetricsPort('9464')).toBe(9464);
    expect(() => parseMetricsPort('70000')).toThrow(MetricsPortError);
    expect(() => parseMetricsPort('metrics')).toThrow(/SPILLWAY_METRICS_PORT/);
  });
});
