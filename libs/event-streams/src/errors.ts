/**
 * Our own error types for everything the store can refuse. `mapStoreError` is the one place
 * that looks at client errors; callers switch on the literal `type`.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;
export type ActualRevision = 'no_stream' | bigint;

export interface ErrorContext {
  readonly operation: string;
  readonly stream?: string;
  readonly expected?: ExpectedRevision;
}

export class WrongExpectedRevisionError extends Error {
  readonly type = 'wrong-expected-revision';
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly actual: ActualRevision;
  constructor(stream: string, expected: ExpectedRevision, actual: ActualRevision, cause?: unknown) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`, { cause });
    this.name = 'WrongExpectedRevisionError';
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

export class StreamNotFoundError extends Error {
  readonly type = 'stream-not-found';
  readonly stream: string;
  constructor(stream: string, cause?: unknown) {
    super(`stream ${stream} not found`, { cause });
    this.name = 'StreamNotFoundError';
    this.stream = stream;
  }
}

export class StreamDeletedError extends Error {
  readonly type = 'stream-deleted';
  readonly stream: string;
  constructor(stream: string, cause?: unknown) {
    super(`stream ${stream} is deleted`, { cause });
    this.name = 'StreamDeletedError';
    this.stream = stream;
  }
}

/** The store could not be reached or dropped the call; retrying later can succeed. */
export class StoreUnavailableError extends Error {
  readonly type = 'store-unavailable';
  readonly operation: string;
  readonly stream: string | undefined;
  constructor(context: ErrorContext, cause?: unknown) {
    super(`store unavailable during ${context.operation}${context.stream ? ` on ${context.stream}` : ''}: ${describe(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
    this.operation = context.operation;
    this.stream = context.stream;
  }
}

export class AppendTooLargeError extends Error {
  readonly type = 'append-too-large';
  readonly stream: string;
  readonly maxAppendSize: number | undefined;
  constructor(stream: string, maxAppendSize: number | undefined, cause?: unknown) {
    super(`append to ${stream} is over the store's maximum append size${maxAppendSize ? ` (${maxAppendSize} bytes)` : ''}`, { cause });
    this.name = 'AppendTooLargeError';
    this.stream = stream;
    this.maxAppendSize = maxAppendSize;
  }
}

export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/** Raised before writing: the event does not match its schema in the catalog. Nothing was written. */
export class InvalidEventError extends Error {
  readonly type = 'invalid-event';
  readonly stream: string;
  readonly eventType: string;
  readonly issues: readonly SchemaIssue[];
  constructor(stream: string, eventType: string, issues: readonly SchemaIssue[]) {
    super(`event ${eventType} for ${stream} is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidEventError';
    this.stream = stream;
    this.eventType = eventType;
    this.issues = issues;
  }
}

export class UnexpectedStoreError extends Error {
  readonly type = 'unexpected-store-error';
  readonly operation: string;
  readonly stream: string | undefined;
  constructor(context: ErrorContext, cause?: unknown) {
    super(`store error during ${context.operation}${context.stream ? ` on ${context.stream}` : ''}: ${describe(cause)}`, { cause });
    this.name = 'UnexpectedStoreError';
    this.operation = context.operation;
    this.stream = context.stream;
  }
}

export type EventStreamsError =
  | WrongExpectedRevisionError
  | StreamNotFoundError
  | StreamDeletedError
  | StoreUnavailableError
  | AppendTooLargeError
  | InvalidEventError
  | UnexpectedStoreError;

export function isEventStreamsError(error: unknown): error is EventStreamsError {
  return (
    error instanceof WrongExpectedRevisionError ||
    error instanceof StreamNotFoundError ||
    error instanceof StreamDeletedError ||
    error instanceof StoreUnavailableError ||
    error instanceof AppendTooLargeError ||
    error instanceof InvalidEventError ||
    error instanceof UnexpectedStoreError
  );
}

/** True when the same call may succeed later (the store was away or dropped the call). */
export function isTransient(error: unknown): boolean {
  return error instanceof StoreUnavailableError;
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** A consumer's handler threw something other than a transient store error; the consumer stops. */
export class HandlerFailedError extends Error {
  readonly type = 'handler-failed';
  readonly consumer: string;
  readonly stream: string;
  readonly eventId: string;
  readonly eventType: string;
  constructor(consumer: string, event: { streamId: string; eventId: string; event: { type: string } }, cause: unknown) {
    super(`consumer ${consumer} failed on ${event.event.type} ${event.eventId} in ${event.streamId}: ${describe(cause)}`, { cause });
    this.name = 'HandlerFailedError';
    this.consumer = consumer;
    this.stream = event.streamId;
    this.eventId = event.eventId;
    this.eventType = event.event.type;
  }
}
