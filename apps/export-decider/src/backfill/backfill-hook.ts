import type { Position } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import type { BackfillRequest } from '../configuration/evolve-config.ts';

export type BackfillHookRequest = BackfillRequest & {
  /** The configuration event that asked for it. */
  readonly stream: string;
  readonly eventId: string;
  readonly position: Position | undefined;
  /** True for configuration events folded again at start (up to the checkpoint): requested before. */
  readonly replaying: boolean;
};

/**
 * Called when a dataflow appears, is enabled, or maps new audiences (product.md section 8): the
 * profiles already realized in `audienceIds` must be exported once. The configuration event
 * counts as handled once the returned promise resolves (the backfill runner records the request
 * durably first).
 */
export type BackfillHook = (request: BackfillHookRequest) => Promise<void> | void;

/** Without a backfill lane (`runDecider` without `backfill`): the request is only logged. */
export function logBackfillRequested(logger: Logger): BackfillHook {
  return (request) => {
    if (request.replaying) return;
    logger.info('backfill requested', {
      dataflowId: request.dataflowId,
      audienceIds: request.audienceIds,
      stream: request.stream,
      eventId: request.eventId,
      note: 'the backfill lane is off: only new changes of these profiles will export',
    });
  };
}
