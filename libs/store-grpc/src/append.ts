import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import type { AppendOutcome, ExpectedRevision, ProposedEvent, StoreEngine } from '@spillway/store-engine';
import type { Logger } from '@spillway/runtime';
import { sharedPb, streamsPb } from './protocol.ts';
import type { AppendReq, AppendResp } from './protocol.ts';
import { rpcErrors } from './errors.ts';
import type { StoreRpcError } from './errors.ts';
import { expectedRevisionOf } from './expected-revision.ts';
import { MissingMetadataPropertyError, sizeOnDisk, streamNameOf, toProposedEvent } from './events.ts';
import { InvalidUuidError } from './uuid.ts';
import { engineRpcError } from './engine-errors.ts';

export interface AppendLimits {
  readonly maxAppendSize: number;
}

/**
 * Streams.Append (client streaming): the options first, then one proposed message per request.
 * Wrong expected version is a normal response on this path; everything else is an RPC error.
 */
export function handleAppend(engine: StoreEngine, limits: AppendLimits, logger: Logger, track: <T>(work: Promise<T>) => Promise<T>) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    let answered = false;
    let streamName: string | undefined;
    let expected: ExpectedRevision | undefined;
    const events: ProposedEvent[] = [];
    let size = 0;

    const fail = (error: StoreRpcError) => {
      if (answered) return;
      answered = true;
      callback(error);
    };

    call.on('data', (request: AppendReq) => {
      if (answered) return;
      try {
        if (streamName === undefined) {
          const options = request.getOptions();
          if (options === undefined) return fail(rpcErrors.handlerException());
          streamName = streamNameOf(options.getStreamIdentifier());
          expected = expectedRevisionOf(options, options.hasRevision() ? options.getRevision() : undefined);
          if (expected === undefined) return fail(rpcErrors.invalidArgument('Expected stream revision is not set'));
          return;
        }
        const message = request.getProposedMessage();
        if (message === undefined) return fail(rpcErrors.handlerException());
        const event = toProposedEvent(message);
        size += sizeOnDisk(event);
        if (size > limits.maxAppendSize) return fail(rpcErrors.maximumAppendSizeExceeded(limits.maxAppendSize));
        events.push(event);
      } catch (error) {
        fail(requestError(error, logger));
      }
    });

    call.on('end', () => {
      if (answered) return;
      if (streamName === undefined || expected === undefined) return fail(rpcErrors.handlerException());
      const stream = streamName;
      const expectation = expected;
      track(engine.append(stream, expectation, events)).then(
        (outcome) => {
          if (answered) return;
          if (outcome.kind === 'stream_deleted') return fail(rpcErrors.streamDeleted(stream));
          answered = true;
          callback(null, appendResponse(outcome, expectation));
        },
        (error: unknown) => fail(engineRpcError(error, logger, { streamName: stream })),
      );
    });

    call.on('error', () => {
      answered = true;
    });
  };
}

function requestError(error: unknown, logger: Logger): StoreRpcError {
  if (error instanceof MissingMetadataPropertyError) return rpcErrors.requiredMetadataPropertyMissing(error.property);
  if (error instanceof InvalidUuidError) return rpcErrors.handlerException();
  logger.warn('bad append request', { error });
  return rpcErrors.handlerException();
}

function appendResponse(outcome: Exclude<AppendOutcome, { kind: 'stream_deleted' }>, expected: ExpectedRevision): AppendResp {
  const response = new streamsPb.AppendResp();
  if (outcome.kind === 'success') {
    const success = new streamsPb.AppendResp.Success();
    if (outcome.nextRevision < 0n) success.setNoStream(new sharedPb.Empty());
    else success.setCurrentRevision(outcome.nextRevision.toString());
    if (outcome.position < 0n) success.setNoPosition(new sharedPb.Empty());
    else {
      const position = outcome.position.toString();
      success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(position).setPreparePosition(position));
    }
    return response.setSuccess(success);
  }
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  if (expected === 'any') wrong.setExpectedAny(new sharedPb.Empty()).setAny2060(new sharedPb.Empty());
  else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty()).setStreamExists2060(new sharedPb.Empty());
  else if (expected === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
  else wrong.setExpectedRevision(expected.toString());
  if (outcome.currentRevision === 'no_stream') wrong.setCurrentNoStream(new sharedPb.Empty()).setNoStream2060(new sharedPb.Empty());
  else wrong.setCurrentRevision(outcome.currentRevision.toString());
  return response.setWrongExpectedVersion(wrong);
}
