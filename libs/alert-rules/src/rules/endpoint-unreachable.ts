import type { AlertState } from '../alert-state.ts';
import type { RuleVerdict } from './verdict.ts';

/** Raised while the destination's circuit is open (the delivery agent gave up reaching it for now). */
export function checkEndpointUnreachable(state: AlertState): RuleVerdict {
  const circuit = state.circuit;
  if (circuit === null) return { kind: 'clear', summary: 'the endpoint answers again (circuit closed)' };
  return {
    kind: 'over',
    observed: circuit.failures,
    threshold: 0,
    summary: `the endpoint is unreachable (circuit open after ${circuit.failures} failed requests; last: ${circuit.lastError})`,
    key: `circuit@${circuit.openedAt}`,
  };
}
