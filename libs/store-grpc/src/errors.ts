import { Metadata, status } from '@grpc/grpc-js';
import type { ServerErrorResponse } from '@grpc/grpc-js';
import type { CurrentRevision, ExpectedRevision } from '@spillway/store-engine';
import { anyPb, emptyPb, sharedPb, statusPb } from './protocol.ts';
import type { RpcStatus } from './protocol.ts';

/**
 * Errors exactly as EventStoreDB 24.x sends them: a gRPC status whose trailing metadata carries
 * `exception=<kind>` plus context keys (the client's convertToCommandError reads these), and, for
 * BatchAppend, a google.rpc.Status with a typed Any detail.
 */
export type StoreRpcError = ServerErrorResponse & { code: status; details: string; metadata: Metadata };

export function rpcError(code: status, details: string, entries: Readonly<Record<string, string>> = {}): StoreRpcError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

/** ExpectedVersion as the server's int64 (Any -2, NoStream -1, StreamExists -4). */
export function expectedVersionNumber(expected: ExpectedRevision): bigint {
  if (expected === 'any') return -2n;
  if (expected === 'no_stream') return -1n;
  if (expected === 'stream_exists') return -4n;
  return expected;
}

export function currentVersionNumber(current: CurrentRevision): bigint {
  return current === 'no_stream' ? -1n : current;
}

export const rpcErrors = {
  streamDeleted: (streamName: string) =>
    rpcError(status.FAILED_PRECONDITION, `Event stream '${streamName}' is deleted.`, {
      exception: 'stream-deleted',
      'stream-name': streamName,
    }),
  streamNotFound: (streamName: string) =>
    rpcError(status.NOT_FOUND, `Event stream '${streamName}' is not found.`, {
      exception: 'stream-not-found',
      'stream-name': streamName,
    }),
  wrongExpectedVersion: (operation: string, streamName: string, expected: ExpectedRevision, current: CurrentRevision) => {
    const expectedVersion = expectedVersionNumber(expected).toString();
    const actualVersion = currentVersionNumber(current).toString();
    return rpcError(
      status.FAILED_PRECONDITION,
      `${operation} failed due to WrongExpectedVersion. Stream: ${streamName}, Expected version: ${expectedVersion}, Actual version: ${actualVersion}`,
      { exception: 'wrong-expected-version', 'stream-name': streamName, 'expected-version': expectedVersion, 'actual-version': actualVersion },
    );
  },
  maximumAppendSizeExceeded: (maxAppendSize: number) =>
    rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(maxAppendSize),
    }),
  requiredMetadataPropertyMissing: (property: string) =>
    rpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
      exception: 'missing-required-metadata-property',
      'required-metadata-properties': 'type,content-type',
    }),
  invalidArgument: (details: string) => rpcError(status.INVALID_ARGUMENT, details),
  /** What ASP.NET gRPC reports for an exception escaping a handler (e.g. Guid.Parse on a malformed id). */
  handlerException: () => rpcError(status.UNKNOWN, 'Exception was thrown by handler.'),
  unknown: (details: string) => rpcError(status.UNKNOWN, details),
  shuttingDown: () => rpcError(status.UNAVAILABLE, 'Server Is Shutting Down'),
};

const googleRpcCode = {
  invalidArgument: 3,
  notFound: 5,
  alreadyExists: 6,
  unknown: 2,
  deadlineExceeded: 4,
  resourceExhausted: 8,
} as const;

function packedStatus(code: number, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): RpcStatus {
  const any = new anyPb.Any();
  any.pack(detail.serializeBinary(), typeName);
  return new statusPb.Status().setCode(code).setMessage(message).setDetails(any);
}

export const batchAppendErrors = {
  wrongExpectedVersion(expected: ExpectedRevision, current: CurrentRevision): RpcStatus {
    const detail = new sharedPb.WrongExpectedVersion();
    if (current === 'no_stream') detail.setCurrentNoStream(new emptyPb.Empty());
    else detail.setCurrentStreamRevision(current.toString());
    if (expected === 'any') detail.setExpectedAny(new emptyPb.Empty());
    else if (expected === 'no_stream') detail.setExpectedNoStream(new emptyPb.Empty());
    else if (expected === 'stream_exists') detail.setExpectedStreamExists(new emptyPb.Empty());
    else detail.setExpectedStreamPosition(expected.toString());
    return packedStatus(googleRpcCode.alreadyExists, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion');
  },
  streamDeleted(streamName: string): RpcStatus {
    const detail = new sharedPb.StreamDeleted().setStreamIdentifier(
      new sharedPb.StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8')),
    );
    return packedStatus(googleRpcCode.notFound, 'StreamDeleted', detail, 'event_store.client.StreamDeleted');
  },
  maximumAppendSizeExceeded(maxAppendSize: number): RpcStatus {
    const detail = new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize);
    return packedStatus(googleRpcCode.invalidArgument, 'MaximumAppendSizeExceeded', detail, 'event_store.client.MaximumAppendSizeExceeded');
  },
  badRequest(message: string): RpcStatus {
    const detail = new sharedPb.BadRequest().setMessage(message);
    return packedStatus(googleRpcCode.invalidArgument, 'BadRequest', detail, 'event_store.client.BadRequest');
  },
  /**
   * No room on the store's disk. EventStoreDB has no such status; the detail's type is one the
   * client does not know, so it surfaces our message ("Could not recognize <message>").
   */
  storeFull(message: string): RpcStatus {
    return packedStatus(googleRpcCode.resourceExhausted, message, new emptyPb.Empty(), 'spillway.StoreFull');
  },
  timeout(): RpcStatus {
    return packedStatus(googleRpcCode.deadlineExceeded, 'Timeout', new sharedPb.Timeout(), 'event_store.client.Timeout');
  },
  unknown(): RpcStatus {
    return packedStatus(googleRpcCode.unknown, 'Unknown', new sharedPb.Unknown(), 'event_store.client.Unknown');
  },
};
