import { createRequire } from 'node:module';
import type * as TimestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import { describe, expect, it } from 'vitest';
import { emptyPb, sharedPb, streamsPb } from './protocol.ts';
import type { BatchAppendReq } from './protocol.ts';
import { decodeBatchAppendReq, type DecodedBatchAppend } from './batch-append-wire.ts';
import { uuidFromWire, uuidMessageOf } from './uuid.ts';

const requireFromClient = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client/generated/streams_pb.js'));
const { Timestamp } = requireFromClient('google-protobuf/google/protobuf/timestamp_pb.js') as typeof TimestampPb;
const timestampPb = (seconds: number, nanos: number) => new Timestamp().setSeconds(seconds).setNanos(nanos);

const stringUuid = (text: string) => new sharedPb.UUID().setString(text);
const structuredUuid = (most: string, least: string) => new sharedPb.UUID().setStructured(new sharedPb.UUID.Structured().setMostSignificantBits(most).setLeastSignificantBits(least));

function proposed(id: ReturnType<typeof stringUuid> | undefined, metadata: Record<string, string>, data: Uint8Array, custom?: Uint8Array) {
  const message = new streamsPb.BatchAppendReq.ProposedMessage();
  if (id) message.setId(id);
  for (const [key, value] of Object.entries(metadata)) message.getMetadataMap().set(key, value);
  message.setData(data);
  if (custom) message.setCustomMetadata(custom);
  return message;
}

/** The fields the store reads, through the generated classes. */
function expectedOf(request: BatchAppendReq) {
  const options = request.getOptions();
  return {
    correlation: request.hasCorrelationId() ? uuidMessageOf(request.getCorrelationId()!).toObject() : undefined,
    options: options && {
      streamName: options.hasStreamIdentifier() ? Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8') : undefined,
      expected: options.hasStreamPosition() ? { revision: options.getStreamPosition() } : options.hasAny() ? 'any' : options.hasNoStream() ? 'no_stream' : options.hasStreamExists() ? 'stream_exists' : undefined,
      deadline: options.getDeadline()?.toDate(),
    },
    proposed: request.getProposedMessagesList().map((message) => ({
      id: message.hasId() ? uuidFromWire(message.getId()) : undefined,
      metadata: Object.fromEntries(message.getMetadataMap().entries()),
      data: Buffer.from(message.getData_asU8()),
      custom: Buffer.from(message.getCustomMetadata_asU8()),
    })),
    isFinal: request.getIsFinal(),
  };
}

function actualOf(decoded: DecodedBatchAppend) {
  return {
    correlation: decoded.correlationId ? uuidMessageOf(decoded.correlationId).toObject() : undefined,
    options: decoded.options && { ...decoded.options },
    proposed: decoded.proposedMessages.map((message) => ({
      id: message.getId() ? uuidFromWire(message.getId()) : undefined,
      metadata: Object.fromEntries((message.getMetadataMap() as Map<string, string>).entries()),
      data: Buffer.from(message.getData_asU8()),
      custom: Buffer.from(message.getCustomMetadata_asU8()),
    })),
    isFinal: decoded.isFinal,
  };
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function request(build: (request: BatchAppendReq, options: InstanceType<typeof streamsPb.BatchAppendReq.Options>) => void, withOptions = true): BatchAppendReq {
  const built = new streamsPb.BatchAppendReq();
  const options = new streamsPb.BatchAppendReq.Options();
  if (withOptions) built.setOptions(options);
  build(built, options);
  return built;
}

describe('decodeBatchAppendReq reads what the generated decoder reads', () => {
  const cases: [string, BatchAppendReq][] = [
    [
      'a first and final chunk as the client sends it: string correlation id, any, a deadline, two JSON events',
      request((built, options) => {
        built.setCorrelationId(stringUuid('5b7c2f9a-1e4d-4c8b-9a6f-3d2e1c0b9a87')).setIsFinal(true);
        options.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from('profile-é-1'))).setAny(new emptyPb.Empty()).setDeadline(timestampPb(1_900_000_000, 123_456_789));
        built.addProposedMessages(proposed(stringUuid('0f0e0d0c-0b0a-4908-8706-050403020100'), { type: 'ProfileChanged', 'content-type': 'application/json' }, json({ a: 'é€' })));
        built.addProposedMessages(proposed(stringUuid('1f0e0d0c-0b0a-4908-8706-050403020100'), { type: 'ProfileChanged', 'content-type': 'application/json' }, json({ b: 2 }), json({ trace: 't' })));
      }),
    ],
    [
      'structured ids with the high bits set, an exact revision past 2^53',
      request((built, options) => {
        built.setCorrelationId(structuredUuid('-1', '-6917529027641081857'));
        options.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from('exports-df'))).setStreamPosition('18446744073709551615');
        built.addProposedMessages(proposed(structuredUuid('1311768467463790320', '-81985529216486896'), { type: 'T', 'content-type': 'application/octet-stream' }, new Uint8Array(70_000).fill(9)));
      }),
    ],
    ['no_stream, not final, no events', request((built, options) => options.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from('s'))).setNoStream(new emptyPb.Empty()))],
    ['stream_exists without a stream identifier', request((_built, options) => options.setStreamExists(new emptyPb.Empty()))],
    [
      'a later chunk: no options, an event without id, metadata or data, an empty correlation id',
      request((built) => {
        built.setCorrelationId(new sharedPb.UUID()).setIsFinal(true);
        built.addProposedMessages(proposed(undefined, {}, new Uint8Array()));
      }, false),
    ],
    ['an empty request', request(() => undefined, false)],
  ];

  it.each(cases)('%s', (_name, built) => {
    const bytes = Buffer.from(built.serializeBinary());
    expect(actualOf(decodeBatchAppendReq(bytes))).toEqual(expectedOf(streamsPb.BatchAppendReq.deserializeBinary(bytes)));
  });

  it('skips fields it does not know, and refuses bytes that are not a message', () => {
    const known = Buffer.from(request((built) => built.setIsFinal(true), false).serializeBinary());
    const withUnknown = Buffer.concat([Buffer.from([0x98, 0x06, 0x2a, 0xa2, 0x06, 0x02, 0x01, 0x02, 0xad, 0x06, 1, 2, 3, 4]), known]);
    expect(decodeBatchAppendReq(withUnknown).isFinal).toBe(true);
    expect(() => decodeBatchAppendReq(Buffer.from([0x12, 0x05, 0x01]))).toThrow(/truncated/);
  });
});
