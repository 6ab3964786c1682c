import { convertToCommandError } from '@eventstore/db-client';
import {
  AppendTooLargeError,
  StoreUnavailableError,
  StreamDeletedError,
  StreamNotFoundError,
  UnexpectedStoreError,
  WrongExpectedRevisionError,
  isEventStreamsError,
  type ActualRevision,
  type ErrorContext,
  type EventStreamsError,
  type ExpectedRevision,
} from './errors.ts';

// gRPC status codes the client may surface unconverted when the channel itself fails.
const transientGrpcCodes = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

interface ClientErrorShape {
  readonly type?: unknown;
  readonly code?: unknown;
  readonly streamName?: unknown;
  readonly expectedVersion?: unknown;
  readonly actualVersion?: unknown;
  readonly maxAppendSize?: unknown;
}

/** The one place that turns whatever the client threw into one of our error types. */
export function mapStoreError(error: unknown, context: ErrorContext): EventStreamsError {
  if (isEventStreamsError(error)) return error;
  const shape = clientErrorShape(error);
  const stream = streamNameOf(shape, context);
  switch (shape.type) {
    case 'wrong-expected-version':
      return new WrongExpectedRevisionError(
        stream,
        asExpected(shape.expectedVersion) ?? context.expected ?? 'any',
        asActual(shape.actualVersion),
        error,
      );
    case 'stream-not-found':
      return new StreamNotFoundError(stream, error);
    case 'stream-deleted':
      return new StreamDeletedError(stream, error);
    case 'maximum-append-size-exceeded':
      return new AppendTooLargeError(stream, typeof shape.maxAppendSize === 'number' ? shape.maxAppendSize : undefined, error);
    default:
      return isTransientFailure(shape, error) ? new StoreUnavailableError(context, error) : new UnexpectedStoreError(context, error);
  }
}

/** What mapStoreError would turn into StreamNotFoundError, without building it. */
export function isStreamNotFound(error: unknown): boolean {
  return isEventStreamsError(error) ? error.type === 'stream-not-found' : clientErrorShape(error).type === 'stream-not-found';
}

function clientErrorShape(error: unknown): ClientErrorShape {
  const converted = error instanceof Error ? convertToCommandError(error) : error;
  return (typeof converted === 'object' && converted !== null ? converted : {}) as ClientErrorShape;
}

const transientClientTypes = new Set(['unavailable', 'timeout', 'deadline-exceeded', 'cancelled', 'not-leader']);

function isTransientFailure(shape: ClientErrorShape, error: unknown): boolean {
  if (typeof shape.type === 'string' && transientClientTypes.has(shape.type)) return true;
  if (typeof shape.code === 'number' && transientGrpcCodes.has(shape.code)) return true;
  return isConnectionFailure(error) || isStoreFull(error);
}

/** The store refused a write for lack of disk space: it accepts writes again once space is freed, so retrying is right. */
function isStoreFull(error: unknown): boolean {
  return error instanceof Error && /no space left to write/i.test(error.message);
}

function asExpected(value: unknown): ExpectedRevision | undefined {
  if (typeof value === 'bigint') return value;
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return value;
  return undefined;
}

function asActual(value: unknown): ActualRevision {
  return typeof value === 'bigint' ? value : 'no_stream';
}

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || /failed to connect|no connection established/i.test(error.message);
}

function streamNameOf(shape: ClientErrorShape, context: ErrorContext): string {
  return typeof shape.streamName === 'string' && shape.streamName ? shape.streamName : (context.stream ?? '');
}
