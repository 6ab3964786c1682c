import { describe, expect, it } from 'vitest';
import { flowSettingsOf } from './flow-settings.ts';

describe('flow settings of a destination', () => {
  it('given no settings, then the circuit is on (30 s, probe every 10 s), no rate limit, and the agent bound', () => {
    expect(flowSettingsOf({}, 64)).toEqual({ circuit: { openAfterMs: 30_000, probeEveryMs: 10_000 }, rateLimit: undefined, maxInFlight: 64 });
  });

  it('given some circuit fields, then the defaults fill the others; given enabled false, then there is no circuit', () => {
    expect(flowSettingsOf({ circuit: { probeEverySeconds: 2 } }, 64).circuit).toEqual({ openAfterMs: 30_000, probeEveryMs: 2_000 });
    expect(flowSettingsOf({ circuit: { enabled: false, openAfterSeconds: 5 } }, 64).circuit).toBeUndefined();
  });

  it("given maxInFlight, then it lowers the agent's bound but never raises it", () => {
    expect(flowSettingsOf({ maxInFlight: 4 }, 64).maxInFlight).toBe(4);
    expect(flowSettingsOf({ maxInFlight: 500 }, 64).maxInFlight).toBe(64);
  });

  it('given a rate limit, then it is passed on as written', () => {
    expect(flowSettingsOf({ rateLimit: { requestsPerSecond: 2.5 } }, 64).rateLimit).toEqual({ requestsPerSecond: 2.5 });
  });
});
