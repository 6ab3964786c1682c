import { describe, expect, it } from 'vitest';
import { deterministicEventId } from './deterministic-id.ts';

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
});
