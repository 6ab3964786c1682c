import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import {
  encodeBatchAppendOptions,
  encodeProposedMessage,
  encodeUuid,
  type OptionsFields,
  type ProposedMessageFields,
  type UuidFields,
} from './protobuf-batch-append-encoder.ts';
import { requireAsClient } from './protobuf-fast-deserializer.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const sharedPb = requireAsClient('./shared_pb.js') as typeof SharedPb;
const { Timestamp } = requireAsClient('google-protobuf/google/protobuf/timestamp_pb') as {
  Timestamp: new () => NonNullable<ReturnType<StreamsPb.BatchAppendReq.Options['getDeadline']>>;
};
const { BatchAppendReq } = streamsPb;
// Taken before any patch is installed: the reference for every byte.
const generatedProposed = BatchAppendReq.ProposedMessage.prototype.serializeBinary;
const generatedOptions = BatchAppendReq.Options.prototype.serializeBinary;
const generatedUuid = sharedPb.UUID.prototype.serializeBinary;

const texts = ['', 'a', 'ProfileChanged', 'application/json', 'é', '€uro', '😀 emoji', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(300), 'ü'.repeat(200)];

function textUuid(text: string): SharedPb.UUID {
  const id = new sharedPb.UUID();
  id.setString(text);
  return id;
}

function proposed(index: number): StreamsPb.BatchAppendReq.ProposedMessage {
  const message = new BatchAppendReq.ProposedMessage();
  if (index % 6 !== 5) message.setId(textUuid(index % 6 === 4 ? texts[index % texts.length]! : randomUUID()));
  if (index % 5 !== 4) {
    message.getMetadataMap().set('type', texts[index % texts.length]!);
    message.getMetadataMap().set('content-type', index % 3 === 2 ? 'application/octet-stream' : 'application/json');
  }
  if (index % 7 === 3) message.getMetadataMap().set(texts[(index * 3) % texts.length]!, texts[(index * 5) % texts.length]!);
  if (index % 3 === 2) message.setData(new Uint8Array(randomBytes(index * 13)));
  else if (index % 7 !== 6) message.setData(Buffer.from(JSON.stringify({ index, text: 'é€😀'.repeat(index) })).toString('base64'));
  if (index % 4 === 1) message.setCustomMetadata(Buffer.from(JSON.stringify({ correlation: index })).toString('base64'));
  if (index % 4 === 3) message.setCustomMetadata(new Uint8Array(randomBytes(index * 7)));
  return message;
}

function options(kind: number, seconds: number, nanos: number, name: string): StreamsPb.BatchAppendReq.Options {
  const result = new BatchAppendReq.Options();
  if (kind !== 5) {
    const identifier = new sharedPb.StreamIdentifier();
    identifier.setStreamName(Buffer.from(name, 'utf8'));
    result.setStreamIdentifier(identifier);
  }
  if (kind === 0) result.setAny(new sharedPb.Empty());
  if (kind === 1) result.setNoStream(new sharedPb.Empty());
  if (kind === 2) result.setStreamExists(new sharedPb.Empty());
  if (kind === 3) result.setStreamPosition(String(seconds));
  if (kind === 4) result.setStreamPosition('18446744073709551615');
  if (kind !== 6) {
    const deadline = new Timestamp();
    deadline.setSeconds(seconds);
    deadline.setNanos(nanos);
    result.setDeadline(deadline);
  }
  return result;
}

describe('hand encoder of the append request', () => {
  it('writes a ProposedMessage as the generated serializer does, for every shape', () => {
    for (let index = 0; index < 300; index++) {
      const message = proposed(index);
      const encoded = encodeProposedMessage(message as unknown as ProposedMessageFields);
      expect(encoded).toEqual(generatedProposed.call(message));
    }
  });

  it('writes a ProposedMessage with nothing set as nothing', () => {
    const message = new BatchAppendReq.ProposedMessage();
    expect(encodeProposedMessage(message as unknown as ProposedMessageFields)).toEqual(new Uint8Array(0));
    message.setId(new sharedPb.UUID());
    expect(encodeProposedMessage(message as unknown as ProposedMessageFields)).toEqual(generatedProposed.call(message));
  });

  it('leaves to the generated serializer what it does not copy: a structured id, a lone surrogate', () => {
    const structured = new BatchAppendReq.ProposedMessage();
    const id = new sharedPb.UUID();
    id.setStructured(new sharedPb.UUID.Structured());
    structured.setId(id);
    expect(encodeProposedMessage(structured as unknown as ProposedMessageFields)).toBeUndefined();
    const surrogate = new BatchAppendReq.ProposedMessage();
    surrogate.getMetadataMap().set('type', 'broken \ud800');
    expect(encodeProposedMessage(surrogate as unknown as ProposedMessageFields)).toBeUndefined();
    expect(encodeUuid(textUuid('\udc00') as unknown as UuidFields)).toBeUndefined();
  });

  it('writes a UUID as the generated serializer does', () => {
    for (const text of [...texts, randomUUID()]) {
      const id = textUuid(text);
      expect(encodeUuid(id as unknown as UuidFields)).toEqual(generatedUuid.call(id));
    }
    expect(encodeUuid(new sharedPb.UUID() as unknown as UuidFields)).toEqual(new Uint8Array(0));
  });

  it('writes Options as the generated serializer does, for every expected revision, deadline and stream name', () => {
    let compared = 0;
    for (let kind = 0; kind <= 7; kind++) {
      for (const [seconds, nanos] of [[0, 0], [1, 0], [0, 1], [127, 128], [1_763_800_000, 123_000_000], [2 ** 40, 999_999_999], [Number.MAX_SAFE_INTEGER, 0x7fffffff]] as const) {
        for (const name of ['', 'profile-1', 'exports-é-😀', 'n'.repeat(200)]) {
          const built = options(kind, seconds, nanos, name);
          expect(encodeBatchAppendOptions(built as unknown as OptionsFields)).toEqual(generatedOptions.call(built));
          compared++;
        }
      }
    }
    expect(compared).toBe(224);
  });

  it('writes every expected stream position as the generated serializer does, either side of 15 digits', () => {
    for (const position of ['0', '7', '007', '127', '128', '4294967296', '999999999999999', '1000000000000000', '9007199254740993', '18446744073709551615']) {
      const built = options(0, 1, 0, 'a');
      built.clearAny();
      built.setStreamPosition(position);
      expect(encodeBatchAppendOptions(built as unknown as OptionsFields)).toEqual(generatedOptions.call(built));
    }
  });

  it('leaves to the generated serializer a negative deadline and a stream position it does not read', () => {
    expect(encodeBatchAppendOptions(options(0, -1, 0, 'a') as unknown as OptionsFields)).toBeUndefined();
    const odd = options(0, 1, 0, 'a');
    odd.setStreamPosition('-1');
    expect(encodeBatchAppendOptions(odd as unknown as OptionsFields)).toBeUndefined();
    for (const position of ['18446744073709551616', '', '1e3', ' 1', '123456789012345678901']) {
      odd.setStreamPosition(position);
      expect(encodeBatchAppendOptions(odd as unknown as OptionsFields)).toBeUndefined();
    }
  });
});
