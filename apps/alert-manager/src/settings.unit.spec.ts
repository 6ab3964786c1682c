import { InvalidEnvironmentError } from '@spillway/event-streams';
import { describe, expect, it } from 'vitest';
import { parseAlertManagerSettings } from './settings.ts';

describe('alert manager settings', () => {
  it('ticks every second by default', () => {
    expect(parseAlertManagerSettings({})).toEqual({ tickMs: 1000 });
  });

  it('takes SPILLWAY_ALERT_TICK_MS', () => {
    expect(parseAlertManagerSettings({ SPILLWAY_ALERT_TICK_MS: '250' })).toEqual({ tickMs: 250 });
  });

  it('refuses a tick that is not a whole number of milliseconds in range, naming the variable', () => {
    for (const value of ['0', 'fast', '1.5', '600000']) {
      expect(() => parseAlertManagerSettings({ SPILLWAY_ALERT_TICK_MS: value })).toThrow(InvalidEnvironmentError);
      expect(() => parseAlertManagerSettings({ SPILLWAY_ALERT_TICK_MS: value })).toThrow(/SPILLWAY_ALERT_TICK_MS/);
    }
  });
});
