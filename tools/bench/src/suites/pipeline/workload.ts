import type { BenchContext } from '../../suite.ts';

/** A set of profiles written round-robin: change i goes to profile i mod profiles. */
export interface ChangeSet {
  /** Profile ids are `<prefix><n>`, fresh per phase, so every profile's sequences start at 0. */
  readonly prefix: string;
  readonly profiles: number;
  readonly changes: number;
}

export interface PipelineWorkload {
  /**
   * Untimed: connections, JIT and the services' caches warm up. Written like the throughput
   * phase, and half its size: with a twentieth, V8 was still optimizing (8-22% of each service's
   * CPU in the measured phase went to TurboFan compiles).
   */
  readonly warmup: ChangeSet;
  /** Written as fast as `writers` awaited appends allow (each writer owns its profiles, so per-profile order holds). */
  readonly throughput: ChangeSet & { readonly writers: number };
  /** Offered at a fixed rate: every `tickMs`, `perTick` single-event appends to different ingest streams. */
  readonly latency: ChangeSet & { readonly ratePerSecond: number; readonly tickMs: number; readonly perTick: number; readonly durationMs: number };
  /** The bare `got` loop: as many loops as the agent's requests per destination, run untimed for `warmupMs` first. */
  readonly ceiling: { readonly concurrency: number; readonly durationMs: number; readonly warmupMs: number };
  /** How long a phase may wait for its last export before it reports what is missing. */
  readonly drainTimeoutMs: number;
}

/** The delivery agent's default SPILLWAY_DELIVERY_MAX_IN_FLIGHT_PER_DESTINATION (its requests in flight to one destination). */
export const agentRequestsPerDestination = 64;

export function pipelineWorkload(context: BenchContext): PipelineWorkload {
  const ratePerSecond = 1_000;
  const tickMs = 10;
  const latencyDurationMs = context.quick ? 2_000 : Math.max(10_000, context.phaseDurationMs * 4);
  return {
    warmup: { prefix: 'w', profiles: context.quick ? 50 : 2_000, changes: context.quick ? 150 : 10_000 },
    throughput: { prefix: 't', profiles: context.quick ? 200 : 2_000, changes: context.quick ? 1_000 : 20_000, writers: 32 },
    latency: {
      prefix: 'l',
      profiles: context.quick ? 500 : 4_000,
      changes: Math.round((ratePerSecond * latencyDurationMs) / 1000),
      ratePerSecond,
      tickMs,
      perTick: Math.round((ratePerSecond * tickMs) / 1000),
      durationMs: latencyDurationMs,
    },
    ceiling: { concurrency: agentRequestsPerDestination, durationMs: context.phaseDurationMs, warmupMs: context.quick ? 500 : 8_000 },
    drainTimeoutMs: context.quick ? 30_000 : 120_000,
  };
}
