import type { ExportDeadLettered } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { matchesFilters, type DeadLetterFilters } from './dead-letter-filters.ts';

const letter = (profileId: string, answer: { status: number } | { errorCode: string }, deadLetteredAt: string) =>
  ({ dataflowId: profileId.startsWith('b') ? 'df-b' : 'df-a', profileId, ...answer, deadLetteredAt }) as ExportDeadLettered;

const letters = [
  letter('a1', { status: 503 }, '2026-01-01T10:00:00.000Z'),
  letter('a2', { status: 400 }, '2026-01-02T10:00:00.000Z'),
  letter('a3', { errorCode: 'ECONNREFUSED' }, '2026-01-03T10:00:00.000Z'),
  letter('b1', { status: 500 }, '2026-01-02T12:00:00.000Z'),
];
const select = (filters: DeadLetterFilters) => letters.filter((candidate) => matchesFilters(candidate, filters)).map((found) => found.profileId);

describe('dead letter filters', () => {
  it('match on dataflow, profile, status code, class or network error, and a time range (since inclusive, until exclusive)', () => {
    expect(select({})).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(select({ dataflowId: 'df-a' })).toEqual(['a1', 'a2', 'a3']);
    expect(select({ profileId: 'b1' })).toEqual(['b1']);
    expect(select({ status: '5xx' })).toEqual(['a1', 'b1']);
    expect(select({ status: '400' })).toEqual(['a2']);
    expect(select({ status: '4xx', dataflowId: 'df-b' })).toEqual([]);
    expect(select({ status: 'ECONNREFUSED' })).toEqual(['a3']);
    expect(select({ sinceMs: Date.parse('2026-01-02T10:00:00Z'), untilMs: Date.parse('2026-01-03T10:00:00Z') })).toEqual(['a2', 'b1']);
  });
});
