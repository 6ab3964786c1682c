import { describe, expect, it } from 'vitest';
import { createLruCache } from './profile-cache.ts';

describe('the profile cache', () => {
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

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createLruCache(0)).toThrow(RangeError);
  });
});
