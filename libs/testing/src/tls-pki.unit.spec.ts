import { describe, expect, it } from 'vitest';
import { randomSerialHex } from './tls-pki.ts';

describe('test certificate serials', () => {
  it('are 16 bytes, positive and minimal (OpenSSL refuses a DER integer with a redundant leading zero)', () => {
    // 2,000 draws: a zero or high-bit first byte (1 in 256, 1 in 2) would show at once.
    for (let draw = 0; draw < 2_000; draw++) {
      const hex = randomSerialHex();
      expect(hex).toMatch(/^[0-9a-f]{32}$/);
      const first = Number.parseInt(hex.slice(0, 2), 16);
      expect(first).toBeGreaterThanOrEqual(0x01);
      expect(first).toBeLessThanOrEqual(0x7f);
    }
  });
});
