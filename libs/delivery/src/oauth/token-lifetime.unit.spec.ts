import { describe, expect, it } from 'vitest';
import { defaultTokenLifetimeS, tokenTimes } from './token-lifetime.ts';

describe('tokenTimes', () => {
  it('renews an hour-long token when 10% of its life remains', () => {
    expect(tokenTimes(0, 3600)).toEqual({ renewAtMs: 3_240_000, expiresAtMs: 3_600_000 });
  });

  it('renews a short token 30 s before it expires', () => {
    expect(tokenTimes(1_000, 120)).toEqual({ renewAtMs: 91_000, expiresAtMs: 121_000 });
  });

  it('reuses a very short token for the first half of its life', () => {
    expect(tokenTimes(0, 2)).toEqual({ renewAtMs: 1_000, expiresAtMs: 2_000 });
  });

  it('assumes the default lifetime when the server gave none', () => {
    expect(defaultTokenLifetimeS).toBe(300);
    expect(tokenTimes(0, undefined)).toEqual({ renewAtMs: 270_000, expiresAtMs: 300_000 });
  });
});
