import type { RetriedDelivery } from '@spillway/delivery';
import { orderedEventId } from '@spillway/event-streams';
import { exportDeliveredSchema, exportFailedSchema, type ExportRequested } from '@spillway/pipeline-events';
import { describe, expect, it } from 'vitest';
import { outcomeEvent } from './outcome-events.ts';

const request: ExportRequested = {
  exportId: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
  sequence: 4,
  dataflowId: 'df-1',
  destinationId: 'dest-1',
  profileId: 'p-1',
  triggers: ['attribute'],
  lane: 'live',
  document: { person: {} },
  ingestedAt: '2026-01-01T00:00:00.000Z',
  decidedAt: '2026-01-01T00:00:00.100Z',
};
const at = new Date('2026-01-01T00:00:01.000Z');
const attempted = (delivery: RetriedDelivery) => ({ kind: 'attempted' as const, delivery, timeoutMs: 2_000 });

describe('outcome events', () => {
  it('given a delivery, records ExportDelivered with the attempts and the status, under an id derived from the export and its ingest time', () => {
    const event = outcomeEvent(request, attempted({ outcome: { kind: 'delivered', status: 204, durationMs: 12.5 }, attempts: 2, stoppedBecause: 'delivered' }), at);

    expect(event).toEqual({
      type: 'ExportDelivered',
      id: orderedEventId(Date.parse(request.ingestedAt), 'outcome', request.exportId, 'ExportDelivered'),
      data: {
        exportId: request.exportId,
        sequence: 4,
        dataflowId: 'df-1',
        destinationId: 'dest-1',
        profileId: 'p-1',
        lane: 'live',
        attempts: 2,
        status: 204,
        durationMs: 12.5,
        ingestedAt: request.ingestedAt,
        deliveredAt: '2026-01-01T00:00:01.000Z',
      },
    });
    expect(exportDeliveredSchema.safeParse(event.data).success).toBe(true);
  });

  it('given a status that is not retried, records ExportFailed with that status', () => {
    const event = outcomeEvent(
      request,
      attempted({ outcome: { kind: 'failed', failure: 'status', status: 422, retryable: false, durationMs: 3 }, attempts: 1, stoppedBecause: 'not-retryable' }),
      at,
    );

    expect(event).toMatchObject({
      type: 'ExportFailed',
      id: orderedEventId(Date.parse(request.ingestedAt), 'outcome', request.exportId, 'ExportFailed'),
      data: { attempts: 1, status: 422, reason: 'the endpoint answered HTTP 422, which is not retried', failedAt: '2026-01-01T00:00:01.000Z' },
    });
    expect(exportFailedSchema.safeParse(event.data).success).toBe(true);
  });

  it('given retries exhausted on timeouts, names the timeout and the attempts, never the error message', () => {
    const event = outcomeEvent(
      request,
      attempted({
        outcome: { kind: 'failed', failure: 'error', errorCode: 'ETIMEDOUT', message: 'Timeout awaiting https://x.example/?key=secret', retryable: true, durationMs: 2_000 },
        attempts: 3,
        stoppedBecause: 'attempts-exhausted',
      }),
      at,
    );

    expect(event.data).toMatchObject({ attempts: 3, errorCode: 'ETIMEDOUT', reason: 'gave up after 3 attempts: on the last one the endpoint did not answer within 2000 ms' });
    expect(event.data).not.toHaveProperty('status');
    expect(JSON.stringify(event)).not.toContain('secret');
  });

  it.each([
    ['ECONNREFUSED', 'the endpoint refused the connection'],
    ['ECONNRESET', 'the endpoint closed the connection without answering'],
    ['EPROTO', 'the request failed with EPROTO'],
  ])('describes %s', (errorCode, description) => {
    const event = outcomeEvent(
      request,
      attempted({ outcome: { kind: 'failed', failure: 'error', errorCode, message: '', retryable: false, durationMs: 1 }, attempts: 1, stoppedBecause: 'not-retryable' }),
      at,
    );
    expect(event.data).toMatchObject({ reason: `${description}, which is not retried` });
  });

  it('given no OAuth token could be had, records the token failure code and the library sentence naming destination and token host', () => {
    const message = "no OAuth token for destination 'dest-1' from the token server auth.acme.example: it answered HTTP 400 invalid_client";
    const event = outcomeEvent(
      request,
      attempted({ outcome: { kind: 'failed', failure: 'token', errorCode: 'OAUTH_TOKEN_REFUSED', message, retryable: true, durationMs: 4 }, attempts: 3, stoppedBecause: 'attempts-exhausted' }),
      at,
    );

    expect(event.data).toMatchObject({ attempts: 3, errorCode: 'OAUTH_TOKEN_REFUSED', reason: `gave up after 3 attempts: on the last one ${message}` });
    expect(event.data).not.toHaveProperty('status');
    expect(exportFailedSchema.safeParse(event.data).success).toBe(true);
  });

  it('given a 401 to a newly issued token, says so', () => {
    const event = outcomeEvent(
      request,
      attempted({ outcome: { kind: 'failed', failure: 'status', status: 401, retryable: false, tokenRenewed: true, durationMs: 3 }, attempts: 1, stoppedBecause: 'not-retryable' }),
      at,
    );
    expect(event.data).toMatchObject({ status: 401, reason: 'the endpoint answered HTTP 401 even to a newly issued OAuth token, which is not retried' });
  });

  it('given an export that could not be attempted, records ExportFailed with 0 attempts and the reason', () => {
    const event = outcomeEvent(request, { kind: 'not-attempted', reason: "destination 'dest-1' is not configured" }, at);

    expect(event).toMatchObject({ type: 'ExportFailed', data: { attempts: 0, reason: "destination 'dest-1' is not configured" } });
    expect(exportFailedSchema.safeParse(event.data).success).toBe(true);
  });
});
