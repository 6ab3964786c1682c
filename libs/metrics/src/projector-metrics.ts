import { Counter, type Registry } from 'prom-client';

export interface ProjectorMetrics {
  ingestEventHandled(eventType: string): void;
}

export function createProjectorMetrics(registry: Registry): ProjectorMetrics {
  const handled = new Counter({ name: 'spillway_ingest_events_total', help: 'Ingest events handled by the projector, by event type', labelNames: ['type'], registers: [registry] });
  return { ingestEventHandled: (type) => handled.inc({ type }) };
}
