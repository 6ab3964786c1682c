import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'error';

/** `error`: no HTTP answer (refused, timed out, TLS, DNS). */
export function statusClassOf(status: number | undefined): StatusClass {
  if (status === undefined || status < 100 || status > 599) return 'error';
  return `${Math.floor(status / 100)}xx` as StatusClass;
}

export interface AgentMetrics {
  requestSent(dataflowId: string, status: number | undefined): void;
  retryPlanned(dataflowId: string): void;
  superseded(dataflowId: string): void;
  deadLettered(dataflowId: string): void;
  failed(dataflowId: string): void;
  /** An export delivered: ingest-to-delivered latency and the duration of its last request. */
  delivered(dataflowId: string, endToEndSeconds: number, requestSeconds: number): void;
  /** A destination's circuit opened (its exports wait) or closed. */
  circuitChanged(destinationId: string, open: boolean): void;
}

const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createAgentMetrics(registry: Registry): AgentMetrics {
  const registers = [registry];
  const requests = new Counter({ name: 'spillway_delivery_requests_total', help: 'HTTP requests sent to destinations, by status class (error: no answer)', labelNames: ['dataflow', 'status_class'], registers });
  const retries = new Counter({ name: 'spillway_delivery_retries_total', help: 'Failed attempts that will be retried', labelNames: ['dataflow'], registers });
  const superseded = new Counter({ name: 'spillway_exports_superseded_total', help: 'Exports not sent (any more) because a newer export of the profile replaced them', labelNames: ['dataflow'], registers });
  const deadLettered = new Counter({ name: 'spillway_exports_dead_lettered_total', help: 'Exports given up and written to deadletters-<dataflowId>', labelNames: ['dataflow'], registers });
  const failed = new Counter({ name: 'spillway_exports_failed_total', help: 'Exports that ended failed (dead-lettered, or their destination could not be used)', labelNames: ['dataflow'], registers });
  const delivered = new Counter({ name: 'spillway_exports_delivered_total', help: 'Exports delivered (2xx)', labelNames: ['dataflow'], registers });
  const latency = new Histogram({ name: 'spillway_export_latency_seconds', help: 'From ingest (ingestedAt) to delivered, per export', labelNames: ['dataflow'], buckets: latencyBuckets, registers });
  const duration = new Histogram({ name: 'spillway_delivery_duration_seconds', help: 'Duration of the request that delivered an export', labelNames: ['dataflow'], buckets: durationBuckets, registers });
  const circuitOpen = new Gauge({ name: 'spillway_destination_circuit_open', help: "1 while the destination's circuit is open (its exports wait, a probe goes now and then), 0 once closed", labelNames: ['destination'], registers });
  return {
    circuitChanged: (destination, open) => circuitOpen.set({ destination }, open ? 1 : 0),
    requestSent: (dataflow, status) => requests.inc({ dataflow, status_class: statusClassOf(status) }),
    retryPlanned: (dataflow) => retries.inc({ dataflow }),
    superseded: (dataflow) => superseded.inc({ dataflow }),
    deadLettered: (dataflow) => deadLettered.inc({ dataflow }),
    failed: (dataflow) => failed.inc({ dataflow }),
    delivered(dataflow, endToEndSeconds, requestSeconds) {
      delivered.inc({ dataflow });
      latency.observe({ dataflow }, Math.max(0, endToEndSeconds));
      duration.observe({ dataflow }, Math.max(0, requestSeconds));
    },
  };
}
