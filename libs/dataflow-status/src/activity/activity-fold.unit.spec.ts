import { describe, expect, it } from 'vitest';
import { foldActivity, type ActivityEvent } from './activity-fold.ts';

const exportId = '7d444840-9dc0-41d1-b245-5ffdce74fad2';
const base = { exportId, sequence: 1, dataflowId: 'flow', destinationId: 'dest', profileId: 'p1' };
const at = (time: string) => `2026-01-01T${time}Z`;

const delivered = (time: string, latencyMs: number): ActivityEvent => ({
  type: 'ExportDelivered',
  data: { ...base, attempts: 1, status: 200, durationMs: 5, ingestedAt: new Date(Date.parse(at(time)) - latencyMs).toISOString(), deliveredAt: at(time) },
});
const failed = (time: string, answer: { status: number } | { errorCode: string }, attempts = 3): ActivityEvent => ({
  type: 'ExportFailed',
  data: { ...base, attempts, ingestedAt: at(time), ...answer, reason: 'gave up', failedAt: at(time) },
});
const attemptFailed = (time: string, answer: { status: number } | { errorCode: string }): ActivityEvent => ({
  type: 'ExportAttemptFailed',
  data: { ...base, attempt: 1, startedAt: at(time), durationMs: 3, ...answer, reason: 'failed', nextAttemptAt: at(time) },
});
const superseded = (time: string): ActivityEvent => ({
  type: 'ExportSuperseded',
  data: { ...base, attempts: 0, ingestedAt: at(time), supersededBy: exportId, supersededBySequence: 2, supersededAt: at(time) },
});
const deadLettered = (time: string): ActivityEvent => ({
  type: 'ExportDeadLettered',
  data: {
    ...base,
    export: { ...base, triggers: ['attribute'], lane: 'live', document: {}, ingestedAt: at(time), decidedAt: at(time) },
    attempts: [],
    status: 503,
    reason: 'gave up',
    deadLetteredAt: at(time),
  },
});

const window = { endMs: Date.parse(at('10:59:30')) };

describe('dataflow activity over the last hour', () => {
  it('given no events, then there are 60 empty one-minute buckets ending with the current minute', () => {
    const activity = foldActivity([], window);
    expect(activity.buckets).toHaveLength(60);
    expect(activity.from).toBe(at('10:00:00.000'));
    expect(activity.to).toBe(at('11:00:00.000'));
    expect(activity.buckets[0]!.start).toBe(at('10:00:00.000'));
    expect(activity.buckets[59]!.start).toBe(at('10:59:00.000'));
    expect(activity.totals).toEqual({ delivered: 0, failed: 0, retried: 0, superseded: 0, deadLettered: 0, failedRequests: {} });
  });

  it('given outcomes in two minutes, then each minute counts its own, and the totals add up', () => {
    const activity = foldActivity(
      [delivered('10:58:05', 100), delivered('10:58:59.999', 300), failed('10:58:10', { status: 503 }), superseded('10:59:00'), deadLettered('10:59:01')],
      window,
    );
    expect(activity.buckets[58]).toEqual({ start: at('10:58:00.000'), delivered: 2, failed: 1, retried: 0, superseded: 0, deadLettered: 0, failedRequests: { '503': 1 }, latencyMs: { p50: 100, p95: 300 } });
    expect(activity.buckets[59]).toMatchObject({ delivered: 0, superseded: 1, deadLettered: 1 });
    expect(activity.buckets[59]).not.toHaveProperty('latencyMs');
    expect(activity.totals).toMatchObject({ delivered: 2, failed: 1, superseded: 1, deadLettered: 1, latencyMs: { p50: 100, p95: 300 } });
  });

  it('given retried attempts and failures, then failed requests are counted by status or error code, and each retry once', () => {
    const activity = foldActivity(
      [attemptFailed('10:30:00', { status: 503 }), attemptFailed('10:30:01', { errorCode: 'ECONNREFUSED' }), failed('10:30:02', { status: 503 }), failed('10:30:03', { errorCode: 'ENOTFOUND' }, 0)],
      window,
    );
    expect(activity.totals.retried).toBe(2);
    expect(activity.totals.failed).toBe(2);
    expect(activity.totals.failedRequests).toEqual({ '503': 2, ECONNREFUSED: 1, 'not-sent': 1 });
  });

  it('given events before the window or after its end, then they are left out', () => {
    const activity = foldActivity([delivered('09:59:59.999', 10), delivered('11:00:00', 10), delivered('10:00:00', 10)], window);
    expect(activity.totals.delivered).toBe(1);
    expect(activity.buckets[0]!.delivered).toBe(1);
  });

  it('given five-minute buckets over two hours, then there are 24 of them', () => {
    const activity = foldActivity([delivered('09:01:00', 10)], { ...window, bucketMs: 300_000, buckets: 24 });
    expect(activity.buckets).toHaveLength(24);
    expect(activity.from).toBe(at('09:00:00.000'));
    expect(activity.buckets[0]!.delivered).toBe(1);
  });
});
