import { Duplex } from 'node:stream';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { createLogger } from '@spillway/runtime';
import { createMemoryEngine } from '@spillway/store-engine';
import { describe, expect, it } from 'vitest';
import { ActiveCalls } from './active-calls.ts';
import { handleBatchAppend } from './batch-append.ts';
import { decodeBatchAppendReq } from './batch-append-wire.ts';
import type { DecodedBatchAppend } from './batch-append-wire.ts';
import type { BatchAppendMessage } from './protocol.ts';
import { emptyPb, sharedPb, streamsPb } from './protocol.ts';

function request(index: number): DecodedBatchAppend {
  const options = new streamsPb.BatchAppendReq.Options()
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(`stream-${index}`)))
    .setAny(new emptyPb.Empty());
  const message = new streamsPb.BatchAppendReq.ProposedMessage().setId(new sharedPb.UUID().setString(crypto.randomUUID())).setData(Buffer.from('{}'));
  message.getMetadataMap().set('type', 'Happened').set('content-type', 'application/json');
  const built = new streamsPb.BatchAppendReq()
    .setCorrelationId(new sharedPb.UUID().setString(crypto.randomUUID()))
    .setOptions(options)
    .setProposedMessagesList([message])
    .setIsFinal(true);
  return decodeBatchAppendReq(Buffer.from(built.serializeBinary()));
}

/** A call whose client reads nothing until `release`: every answer after the first finds the buffer full. */
function slowClientCall() {
  const written: unknown[] = [];
  const pendingCallbacks: (() => void)[] = [];
  const call = new Duplex({
    objectMode: true,
    highWaterMark: 1,
    read() {},
    write(chunk: unknown, _encoding, callback) {
      written.push(chunk);
      pendingCallbacks.push(callback);
    },
  });
  const release = () => {
    for (const callback of pendingCallbacks.splice(0)) callback();
  };
  return { call: call as unknown as ServerDuplexStream<DecodedBatchAppend, BatchAppendMessage>, written, release };
}

describe('BatchAppend answers to a client that reads them slowly', () => {
  it('wait for one drain, without a listener per answer, and all go out once the client reads', async () => {
    const { call, written, release } = slowClientCall();
    handleBatchAppend(createMemoryEngine(), { maxAppendSize: 1_048_576 }, createLogger({ service: 'test', write: () => undefined }), new ActiveCalls())(call);
    const appends = 30;
    for (let index = 0; index < appends; index++) call.emit('data', request(index));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(call.listenerCount('drain')).toBeLessThanOrEqual(1);
    for (let round = 0; round < appends && written.length < appends; round++) {
      release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(written).toHaveLength(appends);
  });
});
