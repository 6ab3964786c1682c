import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { useNativeBase64InProtobuf } from './protobuf-base64.ts';
import { requireAsClient } from './protobuf-fast-deserializer.ts';

const streamsPb = requireAsClient('./streams_pb.js') as typeof StreamsPb;
const jspb = requireAsClient('google-protobuf') as {
  Message: { bytesAsU8(value: unknown): unknown };
};

/** One JSON event as the client's batchAppend builds it (base64 text), or with its bytes given as bytes. */
function proposedMessage(json: string, as: 'base64' | 'bytes'): StreamsPb.BatchAppendReq.ProposedMessage {
  const message = new streamsPb.BatchAppendReq.ProposedMessage();
  message.getMetadataMap().set('type', 'Something');
  message.getMetadataMap().set('content-type', 'application/json');
  const bytes = Buffer.from(json, 'utf8');
  message.setData(as === 'base64' ? bytes.toString('base64') : new Uint8Array(bytes));
  return message;
}

describe("google-protobuf's base64 decoding replaced by Node's", () => {
  it("serializes the client's append messages to the same bytes as if the data were given as bytes, decoded by Buffer", () => {
    useNativeBase64InProtobuf();
    useNativeBase64InProtobuf();
    expect(jspb.Message.bytesAsU8('QUJD')).toBeInstanceOf(Buffer);
    const payloads = ['{}', JSON.stringify({ a: 'é€😀' }), ...Array.from({ length: 50 }, (_, size) => JSON.stringify({ bytes: randomBytes(size * 37).toString('latin1') }))];
    for (const json of payloads) expect(proposedMessage(json, 'base64').serializeBinary()).toEqual(proposedMessage(json, 'bytes').serializeBinary());
  });

  it('leaves to the original decoder whatever Buffer would not read whole, and whatever is not text', () => {
    const handedOver: unknown[] = [];
    const message = { bytesAsU8: (value: unknown) => (handedOver.push(value), 'original') };
    useNativeBase64InProtobuf(message);
    for (const text of ['', 'QQ==', 'QUI=', 'QUJD', '-_-_']) expect(message.bytesAsU8(text), text).toEqual(Buffer.from(text, 'base64'));
    const odd = ['QQ..', 'QUI.', 'QQ', 'QUJD QUJD', 'QQ==QQ==', 'QU!D'];
    const bytes = new Uint8Array([1, 2, 3]);
    for (const value of [...odd, bytes, null]) expect(message.bytesAsU8(value)).toBe('original');
    expect(handedOver).toEqual([...odd, bytes, null]);
  });
});
