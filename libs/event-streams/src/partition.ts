/**
 * Scale-out by key: instance `index` of `count` handles the keys with
 * `partitionOf(key, count) === index`. Every instance must agree, so the hash is fixed
 * (FNV-1a, 32-bit, over the key's UTF-8 bytes) and never depends on the runtime.
 */
export interface Partition {
  readonly index: number;
  readonly count: number;
}

export const wholePartition: Partition = { index: 0, count: 1 };

export class InvalidPartitionError extends Error {
  readonly type = 'invalid-partition';
  readonly value: string;
  constructor(value: string, reason: string) {
    super(`partition '${value}' ${reason}: expected 'k/n' with 0 <= k < n, e.g. '0/1' or '2/4'`);
    this.name = 'InvalidPartitionError';
    this.value = value;
  }
}

const encoder = new TextEncoder();

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The partition (0..partitions-1) a key belongs to. */
export function partitionOf(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  return partitions === 1 ? 0 : fnv1a32(key) % partitions;
}

export function isInPartition(key: string, partition: Partition): boolean {
  return partitionOf(key, partition.count) === partition.index;
}

/** Reads `k/n` (e.g. the `SPILLWAY_PARTITION` setting); empty or absent is the whole key space, `0/1`. */
export function parsePartition(value: string | undefined): Partition {
  const text = value?.trim() ?? '';
  if (text === '') return wholePartition;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new InvalidPartitionError(text, 'is not of the form k/n');
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new InvalidPartitionError(text, 'has n < 1');
  if (index >= count) throw new InvalidPartitionError(text, `has k >= n (instances are numbered 0 to ${count - 1})`);
  return { index, count };
}

/** The consumer (checkpoint) name of one instance: `<service>-<k>-of-<n>`. */
export function partitionConsumerName(service: string, partition: Partition): string {
  return `${service}-${partition.index}-of-${partition.count}`;
}
