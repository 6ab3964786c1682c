import { Counter, Gauge, type Registry } from 'prom-client';

/** What every service's consumer reports (`Consumer.stats()` of @spillway/event-streams fits). */
export interface ConsumerStatsSource {
  stats(): { readonly handled: number; readonly rejected: number; readonly inFlight: number };
}

/**
 * Events consumed, rejected and in hand, read from the consumer's own counters when scraped:
 * the handlers stay free of metric calls.
 */
export function registerConsumerMetrics(registry: Registry, consumerName: string, source: () => ConsumerStatsSource | undefined): void {
  const labels = { consumer: consumerName };
  const sampled = { handled: 0, rejected: 0 };
  new Counter({
    name: 'spillway_events_consumed_total',
    help: 'Events handled by the consumer (all types of its filter)',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      const handled = source()?.stats().handled ?? sampled.handled;
      if (handled > sampled.handled) this.inc(labels, handled - sampled.handled);
      sampled.handled = Math.max(handled, sampled.handled);
    },
  });
  new Counter({
    name: 'spillway_events_rejected_total',
    help: 'Events the consumer skipped because they did not parse against their schema',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      const rejected = source()?.stats().rejected ?? sampled.rejected;
      if (rejected > sampled.rejected) this.inc(labels, rejected - sampled.rejected);
      sampled.rejected = Math.max(rejected, sampled.rejected);
    },
  });
  new Gauge({
    name: 'spillway_consumer_in_flight',
    help: 'Events queued or being handled by the consumer',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      this.set(labels, source()?.stats().inFlight ?? 0);
    },
  });
}

/** A counter that follows a running total kept elsewhere (read when scraped). */
export function counterFromTotal(registry: Registry, name: string, help: string, total: () => number | undefined): void {
  let sampled = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = total() ?? sampled;
      if (value > sampled) this.inc(value - sampled);
      sampled = Math.max(value, sampled);
    },
  });
}

/** A gauge that reads its value from elsewhere when scraped (0 while there is nothing to read). */
export function gaugeFromValue(registry: Registry, name: string, help: string, value: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(value() ?? 0);
    },
  });
}
