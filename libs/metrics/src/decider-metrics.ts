import { Counter, type Registry } from 'prom-client';

export interface DeciderMetrics {
  /** One export appended: counted once per trigger that caused it. */
  exportRequested(dataflowId: string, triggers: readonly string[], lane: string): void;
}

export function createDeciderMetrics(registry: Registry): DeciderMetrics {
  const decided = new Counter({
    name: 'spillway_exports_decided_total',
    help: 'Exports requested (appended to exports-<dataflowId>), once per trigger kind that caused them',
    labelNames: ['dataflow', 'trigger', 'lane'],
    registers: [registry],
  });
  return {
    exportRequested(dataflow, triggers, lane) {
      for (const trigger of triggers) decided.inc({ dataflow, trigger, lane });
    },
  };
}
