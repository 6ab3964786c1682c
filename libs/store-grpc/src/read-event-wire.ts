import type { RecordedEvent } from '@spillway/store-engine';
import type { UuidForm } from './events.ts';

/**
 * The protobuf encoding of `ReadResp { event: ReadEvent { event: RecordedEvent, commit_position } }`,
 * written directly: reads and catch-up send one of these per event, and building it through the
 * generated message classes costs several times more than the rest of the read path. The bytes
 * are what the generated serializer produces (the unit spec decodes them with the generated classes).
 */

const varint = 0;
const lengthDelimited = 2;
const textEncoder = new TextEncoder();

export class WireWriter {
  private readonly bytes: Buffer;
  private offset = 0;
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }
  tag(field: number, wireType: number): this {
    return this.varint(BigInt((field << 3) | wireType));
  }
  varint(value: bigint): this {
    if (value >= 0n && value <= maxSafe) return this.smallVarint(Number(value));
    let rest = BigInt.asUintN(64, value);
    while (rest >= 0x80n) {
      this.bytes[this.offset++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.bytes[this.offset++] = Number(rest);
    return this;
  }
  smallVarint(value: number): this {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.offset++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.bytes[this.offset++] = rest;
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }
  done(): Buffer {
    if (this.offset !== this.bytes.length) throw new Error(`wire size mismatch: wrote ${this.offset} of ${this.bytes.length}`);
    return this.bytes;
  }
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

export function varintSize(value: bigint): number {
  if (value >= 0n && value <= maxSafe) return smallVarintSize(Number(value));
  let rest = BigInt.asUintN(64, value);
  let size = 1;
  while (rest >= 0x80n) {
    rest >>= 7n;
    size += 1;
  }
  return size;
}

export function smallVarintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) size += 1;
  return size;
}

/** Size of a length-delimited field (one-byte tag) holding `length` bytes. */
export const delimitedSize = (length: number) => 1 + smallVarintSize(length) + length;

interface Encoded {
  readonly uuid: Uint8Array; // the UUID message's body
  readonly streamName: Uint8Array;
  readonly mapEntries: readonly (readonly [Uint8Array, Uint8Array])[];
}

function encodeUuidBody(id: string, form: UuidForm): Uint8Array {
  if (form === 'string') {
    const text = textEncoder.encode(id);
    return new WireWriter(delimitedSize(text.length)).tag(2, lengthDelimited).smallVarint(text.length).raw(text).done();
  }
  const hex = id.replaceAll('-', '');
  const most = BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`));
  const least = BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`));
  const inner = new WireWriter(2 + varintSize(most) + varintSize(least)).tag(1, varint).varint(most).tag(2, varint).varint(least).done();
  return new WireWriter(delimitedSize(inner.length)).tag(1, lengthDelimited).smallVarint(inner.length).raw(inner).done();
}

function mapEntrySize(key: Uint8Array, value: Uint8Array): number {
  return delimitedSize(key.length) + delimitedSize(value.length);
}

const typeKey = textEncoder.encode('type');
const createdKey = textEncoder.encode('created');
const contentTypeKey = textEncoder.encode('content-type');
const jsonContentType = textEncoder.encode('application/json');
const binaryContentType = textEncoder.encode('application/octet-stream');

function recordedEventSize(event: RecordedEvent, encoded: Encoded): number {
  let size = delimitedSize(encoded.uuid.length);
  size += delimitedSize(delimitedSize(encoded.streamName.length));
  size += 1 + varintSize(event.revision) + 1 + varintSize(event.position) + 1 + varintSize(event.position);
  for (const [key, value] of encoded.mapEntries) size += delimitedSize(mapEntrySize(key, value));
  if (event.metadata.length > 0) size += delimitedSize(event.metadata.length);
  if (event.data.length > 0) size += delimitedSize(event.data.length);
  return size;
}

/** The serialized ReadResp carrying one recorded event. */
export function encodeReadEvent(event: RecordedEvent, uuidForm: UuidForm): Buffer {
  const encoded: Encoded = {
    uuid: encodeUuidBody(event.id, uuidForm),
    streamName: textEncoder.encode(event.streamId),
    mapEntries: [
      [typeKey, textEncoder.encode(event.type)],
      [createdKey, textEncoder.encode(event.created.toString())],
      [contentTypeKey, event.contentType === 'application/json' ? jsonContentType : binaryContentType],
    ],
  };
  const recordedSize = recordedEventSize(event, encoded);
  const readEventSize = delimitedSize(recordedSize) + 1 + varintSize(event.position);
  const writer = new WireWriter(delimitedSize(readEventSize));
  writer.tag(1, lengthDelimited).smallVarint(readEventSize);
  writer.tag(1, lengthDelimited).smallVarint(recordedSize);
  writer.tag(1, lengthDelimited).smallVarint(encoded.uuid.length).raw(encoded.uuid);
  const identifierSize = delimitedSize(encoded.streamName.length);
  writer.tag(2, lengthDelimited).smallVarint(identifierSize);
  writer.tag(3, lengthDelimited).smallVarint(encoded.streamName.length).raw(encoded.streamName);
  writer.tag(3, varint).varint(event.revision);
  writer.tag(4, varint).varint(event.position);
  writer.tag(5, varint).varint(event.position);
  for (const [key, value] of encoded.mapEntries) {
    writer.tag(6, lengthDelimited).smallVarint(mapEntrySize(key, value));
    writer.tag(1, lengthDelimited).smallVarint(key.length).raw(key);
    writer.tag(2, lengthDelimited).smallVarint(value.length).raw(value);
  }
  if (event.metadata.length > 0) writer.tag(7, lengthDelimited).smallVarint(event.metadata.length).raw(event.metadata);
  if (event.data.length > 0) writer.tag(8, lengthDelimited).smallVarint(event.data.length).raw(event.data);
  writer.tag(3, varint).varint(event.position);
  return writer.done();
}
