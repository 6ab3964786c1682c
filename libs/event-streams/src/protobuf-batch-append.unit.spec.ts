import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { clientBatchAppendClasses, reuseMeasuredEventBytes } from './protobuf-batch-append.ts';
import { requireAsClient } from './protobuf-fast-deserializer.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const sharedPb = requireAsClient('./shared_pb.js') as typeof SharedPb;
const { BatchAppendReq } = streamsPb;
// The generated serializer, kept before the patch: the reference for every byte.
const generatedSerialize = BatchAppendReq.prototype.serializeBinary;

function uuid(structured = false): SharedPb.UUID {
  const id = new sharedPb.UUID();
  if (!structured) {
    id.setString(randomUUID());
    return id;
  }
  const parts = new sharedPb.UUID.Structured();
  parts.setMostSignificantBits('-8070450532247928832');
  parts.setLeastSignificantBits('9223372036854775807');
  id.setStructured(parts);
  return id;
}

function options(kind: number): StreamsPb.BatchAppendReq.Options {
  const result = new BatchAppendReq.Options();
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(`profile-é-${kind}`, 'utf8'));
  result.setStreamIdentifier(identifier);
  if (kind === 0) result.setAny(new sharedPb.Empty());
  if (kind === 1) result.setNoStream(new sharedPb.Empty());
  if (kind === 2) result.setStreamExists(new sharedPb.Empty());
  if (kind === 3) result.setStreamPosition('18446744073709551615');
  if (kind !== 4) {
    const deadline = new (requireAsClient('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => Parameters<StreamsPb.BatchAppendReq.Options['setDeadline']>[0] & object }).Timestamp();
    deadline.setSeconds(1_763_800_000 + kind);
    deadline.setNanos(123_456_789);
    result.setDeadline(deadline);
  }
  return result;
}

/** One event as the client's batchAppend builds it: JSON as base64 text, or bytes. */
function proposed(index: number): StreamsPb.BatchAppendReq.ProposedMessage {
  const message = new BatchAppendReq.ProposedMessage();
  message.setId(uuid(index % 5 === 4));
  message.getMetadataMap().set('type', `Type${index}`);
  message.getMetadataMap().set('content-type', index % 3 === 2 ? 'application/octet-stream' : 'application/json');
  if (index % 3 === 2) message.setData(new Uint8Array(randomBytes(index * 13)));
  else if (index % 7 !== 6) message.setData(Buffer.from(JSON.stringify({ index, text: 'é€😀'.repeat(index), bytes: randomBytes(index * 31).toString('latin1') })).toString('base64'));
  if (index % 4 === 1) message.setCustomMetadata(Buffer.from(JSON.stringify({ correlation: index })).toString('base64'));
  if (index % 4 === 3) message.setCustomMetadata(new Uint8Array([1, 2, 3]));
  return message;
}

/** A request as the client's eventBatcher builds it; `measure` says which events it measured first. */
function request(events: number, optionsKind: number | undefined, isFinal: boolean, measure: (index: number) => boolean): StreamsPb.BatchAppendReq {
  const result = new BatchAppendReq();
  if (optionsKind !== undefined) result.setOptions(options(optionsKind));
  result.setCorrelationId(uuid());
  result.setIsFinal(false);
  for (let index = 0; index < events; index++) {
    const message = proposed(index);
    if (measure(index)) expect(message.serializeBinary().length).toBeGreaterThan(0);
    result.addProposedMessages(message);
  }
  if (isFinal) result.setIsFinal(true);
  return result;
}

describe('BatchAppendReq written with the bytes each event was measured as', () => {
  reuseMeasuredEventBytes();
  reuseMeasuredEventBytes();

  it('is installed on the classes the client loads', () => {
    expect(clientBatchAppendClasses().BatchAppendReq).toBe(BatchAppendReq);
    expect(BatchAppendReq.prototype.serializeBinary).not.toBe(generatedSerialize);
  });

  it('gives the bytes of the generated serializer, for every shape of request the client sends', () => {
    let compared = 0;
    for (const events of [0, 1, 2, 7, 20]) {
      for (const optionsKind of [undefined, 0, 1, 2, 3, 4]) {
        for (const isFinal of [false, true]) {
          for (const measure of [() => true, () => false, (index: number) => index % 2 === 0]) {
            const built = request(events, optionsKind, isFinal, measure);
            const expected = generatedSerialize.call(built);
            expect(built.serializeBinary()).toEqual(expected);
            // Once more, after the measured bytes were used: encoded again, the same.
            expect(built.serializeBinary()).toEqual(expected);
            expect(BatchAppendReq.deserializeBinary(built.serializeBinary()).toObject()).toEqual(built.toObject());
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(180);
  });

  it('gives the same bytes for a 70 KB event and for an event with nothing set', () => {
    const large = new BatchAppendReq();
    const big = new BatchAppendReq.ProposedMessage();
    big.setId(uuid());
    big.setData(Buffer.from(JSON.stringify({ blob: 'x'.repeat(70_000) })).toString('base64'));
    big.serializeBinary();
    const empty = new BatchAppendReq.ProposedMessage();
    empty.serializeBinary();
    large.setProposedMessagesList([big, empty]);
    large.setIsFinal(true);
    expect(large.serializeBinary()).toEqual(generatedSerialize.call(large));
  });
});
