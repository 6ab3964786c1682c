import { InvalidEnvironmentError } from '@spillway/event-streams';
import { describe, expect, it } from 'vitest';
import { parseProjectorSettings } from './settings.ts';

describe('projector settings', () => {
  it('defaults to the whole key space, 50,000 cached profiles and 256 events in hand', () => {
    expect(parseProjectorSettings({})).toEqual({ partition: { index: 0, count: 1 }, cacheSize: 50_000, maxInFlight: 256 });
  });

  it('reads the partition, cache size and events in hand', () => {
    expect(parseProjectorSettings({ SPILLWAY_PARTITION: '1/3', SPILLWAY_PROFILE_CACHE_SIZE: '1000', SPILLWAY_PROJECTOR_MAX_IN_FLIGHT: '8' })).toEqual({
      partition: { index: 1, count: 3 },
      cacheSize: 1000,
      maxInFlight: 8,
    });
  });

  it.each([
    ['SPILLWAY_PARTITION', '3/3', "has k >= n"],
    ['SPILLWAY_PROFILE_CACHE_SIZE', '0', 'must be a positive whole number'],
    ['SPILLWAY_PROJECTOR_MAX_IN_FLIGHT', 'many', 'must be a positive whole number'],
  ])('names the variable when %s=%s is wrong', (variable, value, reason) => {
    const attempt = () => parseProjectorSettings({ [variable]: value });
    expect(attempt).toThrow(InvalidEnvironmentError);
    expect(attempt).toThrow(expect.objectContaining({ variable, message: expect.stringContaining(reason) }));
  });
});
