import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { AppendOutcome, ExpectedRevision, ProposedEvent, StoreEngine } from '@spillway/store-engine';
import type { Logger } from '@spillway/runtime';
import { streamsPb } from './protocol.ts';
import type { BatchAppendMessage, BatchAppendResp, RpcStatus, Uuid } from './protocol.ts';
import type { DecodedBatchAppend, DecodedOptions, PlainUuid } from './batch-append-wire.ts';
import { encodeBatchAppendSuccess } from './batch-append-answer-wire.ts';
import { batchAppendErrors, rpcErrors } from './errors.ts';
import { sizeOnDisk, streamIdentifier, toProposedEvent } from './events.ts';
import { uuidFromWire, uuidMessageOf } from './uuid.ts';
import type { AppendLimits } from './append.ts';
import type { ActiveCalls } from './active-calls.ts';
import { engineBatchStatus } from './engine-errors.ts';
import { coalesceWrites } from './coalesced-writes.ts';

interface PendingWrite {
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly events: ProposedEvent[];
  size: number;
}

/**
 * Streams.BatchAppend (bidi): the client keeps one call open and multiplexes appends on it by
 * correlation id. Options come in the first chunk, events in chunks, `is_final` ends an append.
 * Every correlation id is answered exactly once; appends run concurrently so they share the
 * engine's group commit.
 */
export function handleBatchAppend(engine: StoreEngine, limits: AppendLimits, logger: Logger, calls: ActiveCalls) {
  return (call: ServerDuplexStream<DecodedBatchAppend, BatchAppendMessage>): void => {
    coalesceWrites(call); // the acknowledgements of one commit go out together
    const pending = new Map<string, PendingWrite>();
    let inFlight = 0;
    let inputEnded = false;
    let shuttingDown = false;

    let awaitingDrain = false;
    const respond = (response: BatchAppendMessage) => {
      if (call.cancelled || call.destroyed || call.writableEnded) return;
      // One 'drain' listener however many answers find the buffer full (one each piled up past
      // the listener limit when a client read its answers slowly).
      if (!call.write(response) && !awaitingDrain) {
        awaitingDrain = true;
        call.pause();
        call.once('drain', () => {
          awaitingDrain = false;
          call.resume();
        });
      }
    };
    const finishIfIdle = () => {
      if (inFlight > 0 || call.cancelled || call.writableEnded) return;
      if (shuttingDown) call.emit('error', rpcErrors.shuttingDown());
      else if (inputEnded) call.end();
    };
    const unregister = calls.register(() => {
      shuttingDown = true;
      finishIfIdle();
    });
    call.once('close', unregister);
    call.once('cancelled', unregister);

    const appendNow = (wireCorrelationId: PlainUuid | undefined, write: PendingWrite) => {
      inFlight += 1;
      calls
        .track(engine.append(write.streamName, write.expected, write.events))
        .then(
          (outcome) => respond(outcomeResponse(wireCorrelationId, write, outcome)),
          (error: unknown) =>
            respond(errorResponse(wireCorrelationId && uuidMessageOf(wireCorrelationId), write.streamName, engineBatchStatus(error, logger, { streamName: write.streamName }))),
        )
        .finally(() => {
          inFlight -= 1;
          finishIfIdle();
        });
    };

    call.on('data', (request: DecodedBatchAppend) => {
      if (shuttingDown) return;
      const wireCorrelationId = request.correlationId;
      const correlationId = () => wireCorrelationId && uuidMessageOf(wireCorrelationId);
      const options = request.options;
      const fallbackName = options?.streamName ?? '';
      let key: string;
      try {
        key = uuidFromWire(request.correlationId);
      } catch (error) {
        return respond(errorResponse(correlationId(), fallbackName, batchAppendErrors.badRequest(String(error))));
      }
      if (options !== undefined && !pending.has(key)) {
        const opened = openWrite(options);
        if ('error' in opened) return respond(errorResponse(correlationId(), fallbackName, opened.error));
        pending.set(key, opened.write);
      }
      const write = pending.get(key);
      if (write === undefined) return;
      try {
        for (const message of request.proposedMessages) {
          const event = toProposedEvent(message);
          write.size += sizeOnDisk(event);
          write.events.push(event);
        }
      } catch (error) {
        pending.delete(key);
        return respond(errorResponse(correlationId(), write.streamName, batchAppendErrors.badRequest(errorMessage(error))));
      }
      if (write.size > limits.maxAppendSize) {
        pending.delete(key);
        return respond(errorResponse(correlationId(), write.streamName, batchAppendErrors.maximumAppendSizeExceeded(limits.maxAppendSize)));
      }
      if (!request.isFinal) return;
      pending.delete(key);
      appendNow(wireCorrelationId, write);
    });
    call.on('end', () => {
      inputEnded = true;
      finishIfIdle();
    });
    call.on('error', () => pending.clear());
  };
}

function openWrite(options: DecodedOptions): { write: PendingWrite } | { error: RpcStatus } {
  if (options.streamName === undefined) return { error: batchAppendErrors.badRequest('Required field StreamIdentifier not set.') };
  if (options.deadline !== undefined && options.deadline.getTime() <= Date.now()) return { error: batchAppendErrors.timeout() };
  const expected = expectedRevisionOfWire(options.expected);
  if (expected === undefined) return { error: batchAppendErrors.badRequest('Expected stream position is not set.') };
  return { write: { streamName: options.streamName, expected, events: [], size: 0 } };
}

function expectedRevisionOfWire(expected: DecodedOptions['expected']): ExpectedRevision | undefined {
  return typeof expected === 'object' ? BigInt(expected.revision) : expected;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorResponse(correlationId: Uuid | undefined, streamName: string, error: RpcStatus): BatchAppendResp {
  const response = new streamsPb.BatchAppendResp().setStreamIdentifier(streamIdentifier(streamName)).setError(error);
  return correlationId === undefined ? response : response.setCorrelationId(correlationId);
}

function outcomeResponse(wireCorrelationId: PlainUuid | undefined, write: PendingWrite, outcome: AppendOutcome): BatchAppendMessage {
  switch (outcome.kind) {
    case 'stream_deleted':
      return errorResponse(wireCorrelationId && uuidMessageOf(wireCorrelationId), write.streamName, batchAppendErrors.streamDeleted(write.streamName));
    case 'wrong_expected_version':
      return errorResponse(
        wireCorrelationId && uuidMessageOf(wireCorrelationId),
        write.streamName,
        batchAppendErrors.wrongExpectedVersion(write.expected, outcome.currentRevision),
      );
    case 'success':
      return encodeBatchAppendSuccess(wireCorrelationId, write.streamName, outcome.nextRevision, outcome.position);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unexpected append outcome ${String(unreachable)}`);
    }
  }
}
