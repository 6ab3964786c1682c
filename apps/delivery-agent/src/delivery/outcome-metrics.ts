import type { AgentMetrics } from '@spillway/metrics';
import type { AgentOutputEvent } from './outcome-events.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';

/**
 * Counts what the agent recorded, once it is durably recorded: the outcome events say every
 * request sent (each retried attempt has its ExportAttemptFailed, the last one its final
 * outcome), so the delivery code needs no metric calls.
 */
export function withOutcomeMetrics(recorder: OutcomeRecorder, metrics: AgentMetrics): OutcomeRecorder {
  return {
    async record(stream, event) {
      await recorder.record(stream, event);
      observeOutcome(metrics, event);
    },
  };
}

export function observeOutcome(metrics: AgentMetrics, event: AgentOutputEvent): void {
  switch (event.type) {
    case 'ExportDelivered': {
      const { dataflowId, status, ingestedAt, deliveredAt, durationMs } = event.data;
      metrics.requestSent(dataflowId, status);
      metrics.delivered(dataflowId, (Date.parse(deliveredAt) - Date.parse(ingestedAt)) / 1000, durationMs / 1000);
      return;
    }
    case 'ExportFailed': {
      const { dataflowId, attempts, status } = event.data;
      // attempts 0: the destination could not be used, nothing was sent.
      if (attempts > 0) metrics.requestSent(dataflowId, status);
      metrics.failed(dataflowId);
      return;
    }
    case 'ExportAttemptFailed':
      if (event.data.attempt > 0) metrics.requestSent(event.data.dataflowId, event.data.status);
      metrics.retryPlanned(event.data.dataflowId);
      return;
    case 'ExportSuperseded':
      metrics.superseded(event.data.dataflowId);
      return;
    case 'ExportDeadLettered':
      metrics.deadLettered(event.data.dataflowId);
      return;
    default:
      assertNever(event);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
