import type { RecordedEvent } from '@spillway/store-engine';
import type { UuidForm } from './events.ts';

/**
 * The protobuf encoding of `ReadResp { event: ReadEvent { event: RecordedEvent, commit_position } }`,
 * written directly: reads and catch-up send one of these per event, and building it through the
 * generated message classes costs several times more than the rest of the read path. The bytes
 * are what the generated serializer produces (the unit spec decodes them with the generated classes).
 * Strings are sized with Buffer.byteLength and written straight into the output buffer: no
 * intermediate encoded copy per field.
 */

const varint = 0;
const lengthDelimited = 2;

export class WireWriter {
  private readonly bytes: Buffer;
  private offset = 0;
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }
  /** Field numbers here are below 16, so a tag is one byte. */
  tag(field: number, wireType: number): this {
    this.bytes[this.offset++] = (field << 3) | wireType;
    return this;
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
  /** A string of `byteLength` UTF-8 bytes (as Buffer.byteLength measured it). */
  text(value: string, byteLength: number): this {
    this.offset += this.bytes.write(value, this.offset, byteLength, 'utf8');
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

/** The UUID message's body: `string` (field 2) or `structured` (field 1 holding most/least). */
function encodeUuidBody(id: string, form: UuidForm): Uint8Array {
  if (form === 'string') {
    const length = Buffer.byteLength(id);
    return new WireWriter(delimitedSize(length)).tag(2, lengthDelimited).smallVarint(length).text(id, length).done();
  }
  const hex = id.replaceAll('-', '');
  const most = BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`));
  const least = BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`));
  const inner = new WireWriter(2 + varintSize(most) + varintSize(least)).tag(1, varint).varint(most).tag(2, varint).varint(least).done();
  return new WireWriter(delimitedSize(inner.length)).tag(1, lengthDelimited).smallVarint(inner.length).raw(inner).done();
}

const typeKey = Buffer.from('type');
const createdKey = Buffer.from('created');
const contentTypeKey = Buffer.from('content-type');
const jsonContentType = Buffer.from('application/json');
const binaryContentType = Buffer.from('application/octet-stream');

/** A `map<string, string>` entry whose key and value are pre-encoded, or whose value is a string of known size. */
const mapEntrySize = (keyLength: number, valueLength: number) => delimitedSize(keyLength) + delimitedSize(valueLength);

function writeMapEntry(writer: WireWriter, key: Uint8Array, value: string | Uint8Array, valueLength: number): void {
  writer.tag(6, lengthDelimited).smallVarint(mapEntrySize(key.length, valueLength));
  writer.tag(1, lengthDelimited).smallVarint(key.length).raw(key);
  writer.tag(2, lengthDelimited).smallVarint(valueLength);
  if (typeof value === 'string') writer.text(value, valueLength);
  else writer.raw(value);
}

/** The serialized ReadResp carrying one recorded event. */
export function encodeReadEvent(event: RecordedEvent, uuidForm: UuidForm): Buffer {
  const uuid = encodeUuidBody(event.id, uuidForm);
  const streamNameLength = Buffer.byteLength(event.streamId);
  const typeLength = Buffer.byteLength(event.type);
  const created = event.created.toString(); // ASCII digits: one byte per character
  const contentType = event.contentType === 'application/json' ? jsonContentType : binaryContentType;
  const revisionSize = varintSize(event.revision);
  const positionSize = varintSize(event.position);
  const identifierSize = delimitedSize(streamNameLength);

  let recordedSize = delimitedSize(uuid.length) + delimitedSize(identifierSize) + 1 + revisionSize + 2 * (1 + positionSize);
  recordedSize += delimitedSize(mapEntrySize(typeKey.length, typeLength));
  recordedSize += delimitedSize(mapEntrySize(createdKey.length, created.length));
  recordedSize += delimitedSize(mapEntrySize(contentTypeKey.length, contentType.length));
  if (event.metadata.length > 0) recordedSize += delimitedSize(event.metadata.length);
  if (event.data.length > 0) recordedSize += delimitedSize(event.data.length);
  const readEventSize = delimitedSize(recordedSize) + 1 + positionSize;

  const writer = new WireWriter(delimitedSize(readEventSize));
  writer.tag(1, lengthDelimited).smallVarint(readEventSize);
  writer.tag(1, lengthDelimited).smallVarint(recordedSize);
  writer.tag(1, lengthDelimited).smallVarint(uuid.length).raw(uuid);
  writer.tag(2, lengthDelimited).smallVarint(identifierSize);
  writer.tag(3, lengthDelimited).smallVarint(streamNameLength).text(event.streamId, streamNameLength);
  writer.tag(3, varint).varint(event.revision);
  writer.tag(4, varint).varint(event.position);
  writer.tag(5, varint).varint(event.position);
  writeMapEntry(writer, typeKey, event.type, typeLength);
  writeMapEntry(writer, createdKey, created, created.length);
  writeMapEntry(writer, contentTypeKey, contentType, contentType.length);
  if (event.metadata.length > 0) writer.tag(7, lengthDelimited).smallVarint(event.metadata.length).raw(event.metadata);
  if (event.data.length > 0) writer.tag(8, lengthDelimited).smallVarint(event.data.length).raw(event.data);
  writer.tag(3, varint).varint(event.position);
  return writer.done();
}
