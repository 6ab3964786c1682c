import { Gauge, type Registry } from 'prom-client';

interface LogPosition {
  readonly commit: bigint;
}

export interface SubscriptionLagSource {
  /** The store's last position ($all read backwards, one event). */
  readonly head: () => Promise<LogPosition | undefined>;
  /** The consumer's low watermark. */
  readonly position: () => LogPosition | undefined;
}

/**
 * How far behind the store's head the consumer is, in log positions (commit positions: a
 * measure of the log, not a count of events). Read when scraped, so it costs one small read per
 * scrape and nothing when nobody looks; a failed head read leaves the last value.
 */
export function registerSubscriptionLag(registry: Registry, consumerName: string, source: SubscriptionLagSource): void {
  const labels = { consumer: consumerName };
  new Gauge({
    name: 'spillway_subscription_lag_positions',
    help: "Log positions between the store's head and the consumer's low watermark",
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      const head = await source.head().catch(() => undefined);
      if (head === undefined) return;
      const position = source.position();
      const behind = head.commit - (position?.commit ?? 0n);
      this.set(labels, Number(behind > 0n ? behind : 0n));
    },
  });
}
