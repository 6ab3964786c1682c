import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deterministicEventId, orderedEventId, orderedEventIdAt } from './deterministic-id.ts';

/** RFC 9562 version 5 in its plainest form: what every id written so far was made with. */
function referenceId(...parts: readonly (string | number)[]): string {
  const hash = createHash('sha1').update(Buffer.from('6f1c5d0e8b3a4c1f9e2d7a6b5c4d3e2f', 'hex')).update(parts.map(String).join('\u001f')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

describe('deterministicEventId', () => {
  it('gives the same version-5 UUID for the same parts and another for other parts', () => {
    const id = deterministicEventId('df-1', 'p-1', 7);
    expect(id).toBe(deterministicEventId('df-1', 'p-1', 7));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId('df-1', 'p-1', 8)).not.toBe(id);
  });

  it('does not confuse parts that concatenate to the same text', () => {
    expect(deterministicEventId('ab', 'c')).not.toBe(deterministicEventId('a', 'bc'));
  });

  // Ids already in stores: they must never change.
  it.each([
    [['df-1', 'p-1', 7], '7dbca8da-4205-5924-96de-8ce84414dedc'],
    [['profile', '0f1c5d0e-8b3a-4c1f-9e2d-7a6b5c4d3e2f'], '1049501c-ad97-5f5f-a84b-4899573ac626'],
    [['export', 'flow', 'p', 0], 'e386a069-bd4f-5a15-aecf-f87d30e0b8e5'],
    [['x'], '2c1d7046-a0f9-54b9-9fdc-0853a5bec7d1'],
    [[], 'dfaea512-71ab-5f4c-9edd-9eff1883530a'],
    [['é€😀', 'ü'], '3c82ddd0-66b8-56d2-bbe4-5823cbb44d41'],
    [['a\ud800b'], '4c61dada-097a-5805-8eac-cb696e91ff34'],
    [['long', 'x'.repeat(2000)], '18209e2c-2bb0-5112-831f-0f3981406961'],
    [['long', 'é'.repeat(400)], '5fcfcaac-8047-5586-bde9-7ba939aaae6e'],
    [[1.5, -0, 1e21], 'c3da83a5-5b7d-5ab6-ae82-d4294f7dea85'],
  ] as const)('%j is %s, as it always was', (parts, expected) => {
    expect(deterministicEventId(...parts)).toBe(expected);
  });

  it('agrees with the reference for names of every length around its buffer, in any script', () => {
    const alphabet = ['a', 'Z', '0', '-', '\u001f', 'é', '€', '😀', '\ud800', '\udc00', ' '];
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    for (let length = 0; length < 1100; length += length < 300 || length > 380 ? 7 : 1) {
      const name = Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
      const parts = ['kind', name, random(1000)];
      expect(deterministicEventId(...parts)).toBe(referenceId(...parts));
      expect(deterministicEventId(name)).toBe(referenceId(name));
    }
  });

  it('gives every variant digit the reference gives', () => {
    const variants = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = deterministicEventId('variant', i);
      expect(id).toBe(referenceId('variant', i));
      variants.add(id[19]!);
    }
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});

describe('orderedEventId', () => {
  const at = Date.UTC(2026, 10, 24, 4, 30, 0, 123);

  it('gives the same version-8 UUID for the same time and parts, which zod and the store take as a UUID', () => {
    const id = orderedEventId(at, 'profile', 'e-1');
    expect(id).toBe(orderedEventId(at, 'profile', 'e-1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('starts with the time in milliseconds, as a UUIDv7 does', () => {
    const id = orderedEventId(at, 'x');
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('tells other parts apart at the same millisecond, and the same parts at other times', () => {
    expect(orderedEventId(at, 'profile', 'e-2')).not.toBe(orderedEventId(at, 'profile', 'e-1'));
    expect(orderedEventId(at, 'ab', 'c')).not.toBe(orderedEventId(at, 'a', 'bc'));
    expect(orderedEventId(at + 1, 'profile', 'e-1')).not.toBe(orderedEventId(at, 'profile', 'e-1'));
  });

  it('sorts as text in the order of its times, whatever the parts', () => {
    const times = [0, 1, 255, 256, at - 1000, at, at + 1, at + 86_400_000, 2 ** 46];
    const ids = times.map((time, index) => orderedEventId(time, 'kind', `part-${(times.length - index) * 7919}`));
    expect([...ids].sort()).toEqual(ids);
  });

  it('holds times outside the 48 bits at their nearest end instead of failing', () => {
    expect(orderedEventId(-5, 'x').slice(0, 13)).toBe('00000000-0000');
    expect(orderedEventId(Number.NaN, 'x').slice(0, 13)).toBe('00000000-0000');
    expect(orderedEventId(2 ** 50, 'x').slice(0, 13)).toBe('ffffffff-ffff');
    expect(orderedEventId(at + 0.9, 'x')).toBe(orderedEventId(at, 'x'));
  });

  it('keeps 74 bits of the parts\' hash: a thousand parts at one millisecond give a thousand ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, index) => orderedEventId(at, 'outcome', index)));
    expect(ids.size).toBe(1000);
  });
});

describe('orderedEventIdAt', () => {
  it('given an ISO instant, gives the id orderedEventId gives at its millisecond', () => {
    expect(orderedEventIdAt('2026-11-24T06:42:15.646Z', 'export', 'x-1')).toBe(orderedEventId(Date.parse('2026-11-24T06:42:15.646Z'), 'export', 'x-1'));
    expect(orderedEventIdAt('2026-11-24T06:42:15.646Z', 'export', 'x-1').startsWith('01a20c4a-73de-8')).toBe(true);
  });

  it('given text that is no instant, puts the id at time 0, derived from the parts alone', () => {
    expect(orderedEventIdAt('yesterday', 'export', 'x-1')).toBe(orderedEventId(0, 'export', 'x-1'));
    expect(orderedEventIdAt('yesterday', 'export', 'x-1').startsWith('00000000-0000-')).toBe(true);
  });
});
