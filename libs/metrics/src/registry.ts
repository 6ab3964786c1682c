import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per process: the service's own metrics plus Node's (heap, event loop lag, GC), all labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'spillway_' });
  return registry;
}

export type { Registry } from 'prom-client';
