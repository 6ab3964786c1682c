import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { clientBatchAppendRespClass, decodeBatchAppendSuccess, useFastBatchAppendRespDecoding } from './protobuf-batch-append-resp.ts';
import { requireAsClient, type DeserializeGenerated } from './protobuf-fast-deserializer.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const sharedPb = requireAsClient('./shared_pb.js') as typeof SharedPb;
const { BatchAppendResp } = streamsPb;
// The generated decoder, kept before any patch: the reference.
const generated: DeserializeGenerated = BatchAppendResp.deserializeBinary.bind(BatchAppendResp);

interface AnswerShape {
  readonly correlationId?: string | 'structured';
  readonly revision?: string | 'no-stream';
  readonly commit?: string;
  readonly prepare?: string;
  readonly position?: 'set' | 'none';
  readonly stream?: string;
  readonly expected?: 'any' | 'position';
  readonly error?: boolean;
}

function answer(shape: AnswerShape): Uint8Array {
  const resp = new BatchAppendResp();
  if (shape.correlationId !== undefined) {
    const id = new sharedPb.UUID();
    if (shape.correlationId === 'structured') id.setStructured(new sharedPb.UUID.Structured().setMostSignificantBits('1').setLeastSignificantBits('2'));
    else id.setString(shape.correlationId);
    resp.setCorrelationId(id);
  }
  if (shape.error) {
    const status = new (requireAsClient('./status_pb.js') as { Status: new () => Parameters<StreamsPb.BatchAppendResp['setError']>[0] & object }).Status();
    resp.setError(status);
  } else {
    const success = new BatchAppendResp.Success();
    if (shape.revision === 'no-stream') success.setNoStream(new sharedPb.Empty());
    else if (shape.revision !== undefined) success.setCurrentRevision(shape.revision);
    if (shape.position === 'none') success.setNoPosition(new sharedPb.Empty());
    else if (shape.position === 'set') {
      const position = new sharedPb.AllStreamPosition();
      if (shape.commit !== undefined) position.setCommitPosition(shape.commit);
      if (shape.prepare !== undefined) position.setPreparePosition(shape.prepare);
      success.setPosition(position);
    }
    resp.setSuccess(success);
  }
  if (shape.stream !== undefined) resp.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(shape.stream, 'utf8')));
  if (shape.expected === 'any') resp.setAny(new sharedPb.Empty());
  if (shape.expected === 'position') resp.setStreamPosition('4');
  return resp.serializeBinary();
}

const typical: AnswerShape = { correlationId: randomUUID(), revision: '7', commit: '123456', prepare: '123456', position: 'set', stream: 'profile-p1' };

/** Every getter the client's batchAppend calls on an answer (and the rest of the message's surface). */
function observed(resp: StreamsPb.BatchAppendResp): unknown {
  const success = resp.getSuccess();
  const position = success?.getPosition();
  return {
    resp: [resp.getResultCase(), resp.getExpectedStreamPositionCase(), resp.hasCorrelationId(), resp.getCorrelationId()?.hasStructured(), resp.getCorrelationId()?.getString(), resp.hasError(), resp.hasSuccess(), resp.hasStreamIdentifier(), resp.getStreamIdentifier() && Buffer.from(resp.getStreamIdentifier()!.getStreamName()), resp.hasStreamPosition(), resp.getStreamPosition(), resp.hasNoStream(), resp.hasAny(), resp.hasStreamExists()],
    success: success && [success.getCurrentRevisionOptionCase(), success.getPositionOptionCase(), success.hasCurrentRevision(), success.getCurrentRevision(), success.hasNoStream(), success.hasPosition(), success.hasNoPosition()],
    position: position && [position.getCommitPosition(), position.getPreparePosition()],
  };
}

describe('BatchAppendResp successes decoded by hand', () => {
  const shapes: readonly AnswerShape[] = [
    typical,
    { ...typical, correlationId: undefined },
    { ...typical, correlationId: '' },
    { ...typical, stream: undefined },
    { ...typical, stream: '' },
    { ...typical, stream: 'profile-é-😀' },
    { ...typical, revision: '0', commit: '0', prepare: '0' },
    { ...typical, commit: undefined },
    { ...typical, revision: '18446744073709551615', commit: '9007199254740993', prepare: '4294967296' },
  ];

  it.each(shapes.map((shape, index) => [index, shape] as const))('shape %i: the client sees what the generated decoder gives', (_index, shape) => {
    const bytes = answer(shape);
    const fast = decodeBatchAppendSuccess(bytes, generated);
    expect(fast).toBeDefined();
    expect(observed(fast as unknown as StreamsPb.BatchAppendResp)).toStrictEqual(observed(generated(bytes) as StreamsPb.BatchAppendResp));
    expect(fast!.toObject()).toEqual(generated(bytes).toObject());
    expect(fast!.serializeBinary()).toEqual(generated(bytes).serializeBinary());
  });

  it('leaves errors and every answer it does not read whole to the generated decoder', () => {
    const others: AnswerShape[] = [
      { ...typical, error: true },
      { ...typical, revision: 'no-stream' },
      { ...typical, revision: undefined },
      { ...typical, position: 'none' },
      { ...typical, position: undefined },
      { ...typical, correlationId: 'structured' },
      { ...typical, expected: 'any' },
      { ...typical, expected: 'position' },
    ];
    for (const shape of others) expect(decodeBatchAppendSuccess(answer(shape), generated)).toBeUndefined();
    expect(decodeBatchAppendSuccess(new Uint8Array([...answer(typical), 0x50, 0x01]), generated)).toBeUndefined();
    expect(decodeBatchAppendSuccess(new Uint8Array(), generated)).toBeUndefined();
  });

  it('reads no broken answer as a success: a change to any byte either is left to the generated decoder or gives what it gives', () => {
    const bytes = answer(typical);
    let decodedByHand = 0;
    for (let at = 0; at < bytes.length; at++) {
      for (const value of [0x00, 0x01, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x7f, 0x80, 0xff]) {
        const broken = Uint8Array.from(bytes);
        broken[at] = value;
        for (const candidate of [broken, broken.subarray(0, at)]) {
          const fast = decodeBatchAppendSuccess(candidate, generated);
          if (fast === undefined) continue;
          decodedByHand++;
          expect(observed(fast as unknown as StreamsPb.BatchAppendResp)).toStrictEqual(observed(generated(candidate) as StreamsPb.BatchAppendResp));
        }
      }
    }
    expect(decodedByHand).toBeGreaterThan(50);
  });

  it('is installed on the class the client decodes with, and falls back to the generated decoder', () => {
    useFastBatchAppendRespDecoding();
    useFastBatchAppendRespDecoding();
    expect(clientBatchAppendRespClass()).toBe(BatchAppendResp);
    expect(BatchAppendResp.deserializeBinary(answer(typical))).not.toBeInstanceOf(BatchAppendResp);
    const failed = BatchAppendResp.deserializeBinary(answer({ ...typical, error: true }));
    expect(failed).toBeInstanceOf(BatchAppendResp);
    expect(failed.hasError()).toBe(true);
  });
});
