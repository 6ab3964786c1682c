import { status } from '@grpc/grpc-js';
import {
  EngineClosedError,
  EngineFailedError,
  InvalidAppendError,
  MaxAppendEventSizeExceededError,
  MaxAppendSizeExceededError,
  StoreFullError,
} from '@spillway/store-engine';
import type { Logger } from '@spillway/runtime';
import { batchAppendErrors, rpcError, rpcErrors } from './errors.ts';
import type { StoreRpcError } from './errors.ts';
import type { RpcStatus } from './protocol.ts';

/**
 * What a client sees when the engine rejects an operation: the error a real server gives for the
 * same cause, UNAVAILABLE (so the client reconnects) when the engine cannot serve at all.
 */
export function engineRpcError(error: unknown, logger: Logger, context: Readonly<Record<string, unknown>>): StoreRpcError {
  if (error instanceof MaxAppendSizeExceededError) return rpcErrors.maximumAppendSizeExceeded(error.maxAppendSize);
  if (error instanceof MaxAppendEventSizeExceededError) {
    return rpcError(status.INVALID_ARGUMENT, error.message, {
      exception: 'maximum-append-event-size-exceeded',
      'maximum-append-event-size': String(error.maxAppendEventSize),
      'event-id': error.eventId,
      'proposed-append-event-size': String(error.size),
    });
  }
  if (error instanceof InvalidAppendError) return rpcErrors.invalidArgument(error.message);
  // The engine reports a full disk itself (rate-limited), not once per refused call here.
  if (error instanceof StoreFullError) return rpcError(status.RESOURCE_EXHAUSTED, error.message);
  if (error instanceof EngineClosedError || error instanceof EngineFailedError) {
    logger.error('store engine cannot serve', { ...context, error });
    return rpcError(status.UNAVAILABLE, 'Server Is Not Ready');
  }
  logger.error('store engine operation failed', { ...context, error });
  return rpcErrors.unknown('Unexpected engine failure');
}

export function engineBatchStatus(error: unknown, logger: Logger, context: Readonly<Record<string, unknown>>): RpcStatus {
  if (error instanceof MaxAppendSizeExceededError) return batchAppendErrors.maximumAppendSizeExceeded(error.maxAppendSize);
  if (error instanceof InvalidAppendError || error instanceof MaxAppendEventSizeExceededError) return batchAppendErrors.badRequest(error.message);
  if (error instanceof StoreFullError) return batchAppendErrors.storeFull(error.message);
  logger.error('store engine append failed', { ...context, error });
  return batchAppendErrors.unknown();
}
