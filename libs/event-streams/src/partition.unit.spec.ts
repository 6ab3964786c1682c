import { describe, expect, it } from 'vitest';
import { InvalidPartitionError, fnv1a32, isInPartition, parsePartition, partitionConsumerName, partitionOf } from './partition.ts';

describe('partitions', () => {
  it('hashes with FNV-1a 32-bit, so every instance and every runtime agrees', () => {
    // Reference values of the FNV-1a 32-bit test suite.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts every key in exactly one partition, the same one every time, spread across all of them', () => {
    const keys = Array.from({ length: 4000 }, (_, index) => `profile-${index}`);
    const counts = [0, 0, 0, 0];
    for (const key of keys) {
      const partition = partitionOf(key, 4);
      expect(partitionOf(key, 4)).toBe(partition);
      expect([0, 1, 2, 3].filter((index) => isInPartition(key, { index, count: 4 }))).toEqual([partition]);
      counts[partition]!++;
    }
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(partitionOf('anything', 1)).toBe(0);
  });

  it('reads k/n, defaulting to the whole key space', () => {
    expect(parsePartition(undefined)).toEqual({ index: 0, count: 1 });
    expect(parsePartition(' ')).toEqual({ index: 0, count: 1 });
    expect(parsePartition('2/4')).toEqual({ index: 2, count: 4 });
    expect(partitionConsumerName('profile-projector', parsePartition('1/2'))).toBe('profile-projector-1-of-2');
  });

  it.each([
    ['2', 'is not of the form k/n'],
    ['a/b', 'is not of the form k/n'],
    ['-1/2', 'is not of the form k/n'],
    ['1/0', 'has n < 1'],
    ['2/2', 'has k >= n'],
  ])('refuses %s: %s', (value, reason) => {
    const error = (() => {
      try {
        parsePartition(value);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidPartitionError);
    expect(error).toMatchObject({ type: 'invalid-partition', value, message: expect.stringContaining(reason) });
  });
});
