export { createMetricsRegistry, type Registry } from './registry.ts';
export { parseMetricsPort, serveMetrics, MetricsPortError, type MetricsPort, type MetricsServer, type MetricsServerOptions } from './metrics-server.ts';
export { registerConsumerMetrics, counterFromTotal, gaugeFromValue, type ConsumerStatsSource } from './consumer-metrics.ts';
export { createAgentMetrics, statusClassOf, type AgentMetrics, type StatusClass } from './agent-metrics.ts';
export { readSample } from './read-sample.ts';
export { createDeciderMetrics, type DeciderMetrics } from './decider-metrics.ts';
export { registerSubscriptionLag, type SubscriptionLagSource } from './lag-metrics.ts';
export { createProjectorMetrics, type ProjectorMetrics } from './projector-metrics.ts';
