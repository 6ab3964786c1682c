import { defaultCircuit, type DestinationConfig } from '@spillway/xdm';
import type { CircuitSettings } from './circuit-breaker.ts';
import type { RateLimit } from './token-bucket.ts';

/** How the agent paces one destination's requests, defaults filled in. */
export interface FlowSettings {
  /** Undefined: the circuit breaker is off for this destination. */
  readonly circuit: CircuitSettings | undefined;
  /** Undefined: no rate limit. */
  readonly rateLimit: RateLimit | undefined;
  /** Requests at once. */
  readonly maxInFlight: number;
}

/** A destination that cannot be used: its exports fail at once, nothing to pace. */
export const unpacedFlow = (agentMaxInFlight: number): FlowSettings => ({ circuit: undefined, rateLimit: undefined, maxInFlight: agentMaxInFlight });

/**
 * The destination's settings over the defaults. Its `maxInFlight` can lower the agent's bound on
 * requests per destination but not raise it: the agent's connection pool per destination has
 * that many sockets.
 */
export function flowSettingsOf(config: Pick<DestinationConfig, 'circuit' | 'rateLimit' | 'maxInFlight'>, agentMaxInFlight: number): FlowSettings {
  const circuit = { ...defaultCircuit, ...definedOnly(config.circuit ?? {}) };
  return {
    circuit: circuit.enabled ? { openAfterMs: circuit.openAfterSeconds * 1000, probeEveryMs: circuit.probeEverySeconds * 1000 } : undefined,
    rateLimit: config.rateLimit,
    maxInFlight: Math.min(config.maxInFlight ?? agentMaxInFlight, agentMaxInFlight),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
