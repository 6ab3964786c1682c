import { describe, expect, it } from 'vitest';
import { InvalidAgentSettingsError, parseAgentSettings } from './settings.ts';

describe('agent settings', () => {
  it('defaults to the whole key space, 1024 exports in flight, 64 per destination, a 1 s stop grace, secrets read again every minute and one sender thread', () => {
    expect(parseAgentSettings({})).toEqual({ partition: { index: 0, count: 1 }, maxInFlight: 1024, maxQueuedPerDestination: 10_000, maxInFlightPerDestination: 64, stopGraceMs: 1_000, secretRefreshMs: 60_000, senderThreads: 1 });
  });

  it('reads each variable', () => {
    expect(
      parseAgentSettings({
        SPILLWAY_PARTITION: '2/4',
        SPILLWAY_DELIVERY_MAX_IN_FLIGHT: '256',
        SPILLWAY_DELIVERY_MAX_QUEUED_PER_DESTINATION: '500',
        SPILLWAY_DELIVERY_MAX_IN_FLIGHT_PER_DESTINATION: '8',
        SPILLWAY_DELIVERY_STOP_GRACE_MS: '0',
        SPILLWAY_DELIVERY_SECRET_REFRESH_MS: '5000',
        SPILLWAY_DELIVERY_SENDER_THREADS: '0',
      }),
    ).toEqual({ partition: { index: 2, count: 4 }, maxInFlight: 256, maxQueuedPerDestination: 500, maxInFlightPerDestination: 8, stopGraceMs: 0, secretRefreshMs: 5_000, senderThreads: 0 });
  });

  it('names every variable that is wrong and why', () => {
    let thrown: unknown;
    try {
      parseAgentSettings({ SPILLWAY_PARTITION: '4/4', SPILLWAY_DELIVERY_MAX_IN_FLIGHT: '0', SPILLWAY_DELIVERY_STOP_GRACE_MS: 'soon', SPILLWAY_DELIVERY_SENDER_THREADS: '17' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidAgentSettingsError);
    const problems = (thrown as InvalidAgentSettingsError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^SPILLWAY_PARTITION: partition '4\/4' has k >= n/);
    expect(problems[1]).toBe("SPILLWAY_DELIVERY_MAX_IN_FLIGHT: must be a positive whole number, got '0'");
    expect(problems[2]).toBe("SPILLWAY_DELIVERY_STOP_GRACE_MS: must be a whole number of milliseconds, got 'soon'");
    expect(problems[3]).toBe("SPILLWAY_DELIVERY_SENDER_THREADS: must be a whole number of threads from 0 to 16, got '17'");
  });
});
