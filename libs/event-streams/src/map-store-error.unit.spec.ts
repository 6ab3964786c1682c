import {
  MaxAppendSizeExceededError,
  StreamDeletedError as ClientStreamDeletedError,
  StreamNotFoundError as ClientStreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  AppendTooLargeError,
  InvalidEventError,
  StoreUnavailableError,
  StreamDeletedError,
  StreamNotFoundError,
  UnexpectedStoreError,
  WrongExpectedRevisionError,
} from './errors.ts';
import { isStreamNotFound, mapStoreError } from './map-store-error.ts';

const context = { operation: 'append', stream: 'order-1', expected: 3n } as const;

describe('mapping client errors', () => {
  it('wrong expected version keeps stream, expected and actual', () => {
    const client = new WrongExpectedVersionError(undefined, { streamName: 'order-1', expected: 3n, current: 5n });
    const mapped = mapStoreError(client, context);
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ type: 'wrong-expected-revision', stream: 'order-1', expected: 3n, actual: 5n, cause: client });
  });

  it('stream not found, deleted and too large', () => {
    expect(mapStoreError(new ClientStreamNotFoundError(undefined, 'order-1'), context)).toBeInstanceOf(StreamNotFoundError);
    expect(mapStoreError(ClientStreamDeletedError.fromStreamName('order-1'), context)).toMatchObject({ type: 'stream-deleted', stream: 'order-1' });
    expect(mapStoreError(ClientStreamDeletedError.fromStreamName('order-1'), context)).toBeInstanceOf(StreamDeletedError);
    expect(mapStoreError(MaxAppendSizeExceededError.fromMaxAppendSize(1024), context)).toEqual(new AppendTooLargeError('order-1', 1024));
  });

  it('a write the store refused for lack of disk space is transient, and says so', () => {
    const full = new UnknownError(undefined, 'Could not recognize The store has no space left to write in /data (Input/output error): the write was refused; free space on that disk and writes resume.');
    const mapped = mapStoreError(full, context);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toContain('no space left to write in /data');
  });

  it('unavailable, raw gRPC UNAVAILABLE and refused connections are transient', () => {
    expect(mapStoreError(new UnavailableError(), context)).toBeInstanceOf(StoreUnavailableError);
    expect(mapStoreError(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }), context)).toBeInstanceOf(StoreUnavailableError);
    expect(mapStoreError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), context)).toBeInstanceOf(StoreUnavailableError);
  });

  it('anything else is unexpected, and our own errors pass through', () => {
    expect(mapStoreError(new Error('boom'), context)).toMatchObject({ type: 'unexpected-store-error', operation: 'append', stream: 'order-1' });
    expect(mapStoreError('a string', context)).toBeInstanceOf(UnexpectedStoreError);
    const ours = new InvalidEventError('order-1', 'OrderPlaced', []);
    expect(mapStoreError(ours, context)).toBe(ours);
  });

  it('isStreamNotFound says what mapStoreError would map to StreamNotFoundError', () => {
    const errors: unknown[] = [
      new ClientStreamNotFoundError(undefined, 'order-1'),
      new StreamNotFoundError('order-1'),
      Object.assign(new Error('5 NOT_FOUND: stream-not-found'), { type: 'stream-not-found' }),
      ClientStreamDeletedError.fromStreamName('order-1'),
      new WrongExpectedVersionError(undefined, { streamName: 'order-1', expected: 3n, current: 5n }),
      new UnavailableError(),
      new Error('boom'),
      'a string',
      undefined,
    ];
    for (const error of errors) expect(isStreamNotFound(error)).toBe(mapStoreError(error, context) instanceof StreamNotFoundError);
    expect(errors.filter(isStreamNotFound)).toHaveLength(3);
  });
});
