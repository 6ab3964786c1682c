import type { Logger } from '@spillway/runtime';
import type { BackfillRequest } from '../configuration/evolve-config.ts';

/**
 * Called when a dataflow appears, is enabled, or maps new audiences (product.md section 8): the
 * profiles already realized in `audienceIds` must be exported once. Historical backfill is a later
 * issue; until it lands the request is only logged, and nothing is exported for it.
 */
export type BackfillHook = (request: BackfillRequest & { readonly stream: string; readonly eventId: string }) => void;

export function logBackfillRequested(logger: Logger): BackfillHook {
  return (request) =>
    logger.info('backfill requested', {
      dataflowId: request.dataflowId,
      audienceIds: request.audienceIds,
      stream: request.stream,
      eventId: request.eventId,
      note: 'historical backfill is not implemented yet: only new changes of these profiles will export',
    });
}
