import { describe, expect, it } from 'vitest';
import { createLruCache } from './lru-cache.ts';

describe('the LRU cache', () => {
  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = createLruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c')]).toEqual([2, 3]);
  });

  it('counts a read as a use: a profile read often stays', () => {
    const cache = createLruCache<string, number>(2);
    cache.set('hot', 1);
    cache.set('cold', 2);
    cache.get('hot');
    cache.set('new', 3);
    expect(cache.get('hot')).toBe(1);
    expect(cache.get('cold')).toBeUndefined();
  });

  it('replaces an entry in place and forgets a deleted one', () => {
    const cache = createLruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBe(2);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps dropping the least recently used through many evictions, reads and deletes', () => {
    // A reference model (an array, least recent first) against the cache over 50,000 seeded
    // random operations on 300 keys with room for 100: every read must agree.
    const cache = createLruCache<number, number>(100);
    const model: { key: number; value: number }[] = [];
    let seed = 7;
    const random = (below: number) => {
      // xorshift32
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % below;
    };
    const take = (key: number) => {
      const at = model.findIndex((entry) => entry.key === key);
      return at < 0 ? undefined : model.splice(at, 1)[0];
    };
    for (let step = 0; step < 50_000; step++) {
      const key = random(300);
      const operation = random(10);
      if (operation < 5) {
        take(key);
        model.push({ key, value: step });
        if (model.length > 100) model.shift();
        cache.set(key, step);
      } else if (operation < 9) {
        const found = take(key);
        if (found) model.push(found);
        expect(cache.get(key)).toBe(found?.value);
      } else {
        take(key);
        cache.delete(key);
      }
      expect(cache.size).toBe(model.length);
    }
    for (const { key, value } of [...model]) expect(cache.get(key)).toBe(value);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createLruCache(0)).toThrow(RangeError);
  });
});
