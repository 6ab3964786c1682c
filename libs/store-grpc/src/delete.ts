import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { DeleteOutcome, StoreEngine } from '@spillway/store-engine';
import type { Logger } from '@spillway/runtime';
import { sharedPb, streamsPb } from './protocol.ts';
import type { DeleteReq, DeleteResp, TombstoneReq, TombstoneResp } from './protocol.ts';
import { rpcErrors } from './errors.ts';
import type { StoreRpcError } from './errors.ts';
import { expectedRevisionOf } from './expected-revision.ts';
import { streamNameOf } from './events.ts';
import type { ActiveCalls } from './active-calls.ts';
import { engineRpcError } from './engine-errors.ts';

type DeleteKind = 'Delete' | 'Tombstone';

/** Streams.Delete (soft) and Streams.Tombstone (hard); wrong expected version is an RPC error here. */
export function handleDelete(engine: StoreEngine, logger: Logger, calls: ActiveCalls) {
  return (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void => {
    void runDelete('Delete', engine, logger, calls, call.request.getOptions()).then(
      (position) => {
        const response = new streamsPb.DeleteResp();
        if (position === undefined) callback(null, response.setNoPosition(new sharedPb.Empty()));
        else callback(null, response.setPosition(new streamsPb.DeleteResp.Position().setCommitPosition(position).setPreparePosition(position)));
      },
      (error: StoreRpcError) => callback(error),
    );
  };
}

export function handleTombstone(engine: StoreEngine, logger: Logger, calls: ActiveCalls) {
  return (call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>): void => {
    void runDelete('Tombstone', engine, logger, calls, call.request.getOptions()).then(
      (position) => {
        const response = new streamsPb.TombstoneResp();
        if (position === undefined) callback(null, response.setNoPosition(new sharedPb.Empty()));
        else callback(null, response.setPosition(new streamsPb.TombstoneResp.Position().setCommitPosition(position).setPreparePosition(position)));
      },
      (error: StoreRpcError) => callback(error),
    );
  };
}

type DeleteOptions = NonNullable<ReturnType<DeleteReq['getOptions']>> | NonNullable<ReturnType<TombstoneReq['getOptions']>>;

/** Resolves the commit position as a decimal string (undefined for none); rejects with the RPC error. */
async function runDelete(
  kind: DeleteKind,
  engine: StoreEngine,
  logger: Logger,
  calls: ActiveCalls,
  options: DeleteOptions | undefined,
): Promise<string | undefined> {
  if (options === undefined) throw rpcErrors.invalidArgument('Delete options are missing');
  const streamName = streamNameOf(options.getStreamIdentifier());
  const expected = expectedRevisionOf(options, options.hasRevision() ? options.getRevision() : undefined);
  if (expected === undefined) throw rpcErrors.invalidArgument('Expected stream revision is not set');
  let outcome: DeleteOutcome;
  try {
    const operation = kind === 'Delete' ? engine.deleteStream(streamName, expected) : engine.tombstoneStream(streamName, expected);
    outcome = await calls.track(operation);
  } catch (error) {
    throw engineRpcError(error, logger, { streamName, operation: kind });
  }
  switch (outcome.kind) {
    case 'success':
      return outcome.position < 0n ? undefined : outcome.position.toString();
    case 'stream_deleted':
      throw rpcErrors.streamDeleted(streamName);
    case 'wrong_expected_version':
      throw rpcErrors.wrongExpectedVersion('Delete', streamName, expected, outcome.currentRevision);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unexpected delete outcome ${String(unreachable)}`);
    }
  }
}
