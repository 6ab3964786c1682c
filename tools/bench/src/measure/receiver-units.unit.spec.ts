import { describe, expect, it } from 'vitest';
import { formatReceiverRequests, inReceiverRequests } from './receiver-units.ts';

describe('CPU in receiver-requests', () => {
  it('given 3 CPU s over 1,000 changes and a receiver that spent 0.2 s on 1,000 requests, then 15 receiver-requests per change', () => {
    expect(inReceiverRequests(3, 1_000, { cpuSeconds: 0.2, requests: 1_000 })).toBeCloseTo(15);
  });

  it('given the same work on a machine twice as slow (CPU and receiver both doubled), then the same figure', () => {
    expect(inReceiverRequests(6, 1_000, { cpuSeconds: 0.4, requests: 1_000 })).toBeCloseTo(15);
  });

  it('given no change or no receiver request, then n/a rather than Infinity or NaN', () => {
    expect(formatReceiverRequests(inReceiverRequests(3, 0, { cpuSeconds: 0.2, requests: 1_000 }))).toBe('n/a');
    expect(formatReceiverRequests(inReceiverRequests(3, 1_000, { cpuSeconds: 0, requests: 0 }))).toBe('n/a');
    expect(formatReceiverRequests(14.937)).toBe('14.94');
  });
});
