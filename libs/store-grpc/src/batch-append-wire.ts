import type { WireProposedMessage } from './events.ts';
import type { WireUuid } from './uuid.ts';

/**
 * `BatchAppendReq` read straight from its protobuf bytes. Every append arrives as one of these,
 * and decoding them with the generated classes (a reader object, a message object per field, a
 * map object per event) was 6-8% of the store's CPU. Same reading as the generated decoder: the
 * last value of a field wins, unknown fields are skipped, absent fields read as their default.
 *
 *   BatchAppendReq { UUID correlation_id = 1; Options options = 2; repeated ProposedMessage proposed_messages = 3; bool is_final = 4; }
 *   Options { StreamIdentifier stream_identifier = 1; oneof { uint64 stream_position = 2; Empty no_stream = 3; Empty any = 4; Empty stream_exists = 5; } Timestamp deadline = 6; }
 *   ProposedMessage { UUID id = 1; map<string, string> metadata = 2; bytes custom_metadata = 3; bytes data = 4; }
 *   UUID { oneof { Structured structured = 1; string string = 2; } }  Structured { int64 most = 1; int64 least = 2; }
 *   StreamIdentifier { bytes stream_name = 3; }  Timestamp { int64 seconds = 1; int32 nanos = 2; }
 */
export interface DecodedBatchAppend {
  readonly correlationId: PlainUuid | undefined;
  readonly options: DecodedOptions | undefined;
  readonly proposedMessages: readonly WireProposedMessage[];
  readonly isFinal: boolean;
}

export type WireExpectation = { readonly revision: string } | 'any' | 'no_stream' | 'stream_exists' | undefined;

export interface DecodedOptions {
  /** Undefined when the request names no stream. */
  readonly streamName: string | undefined;
  readonly expected: WireExpectation;
  readonly deadline: Date | undefined;
}

export class BatchAppendWireError extends Error {
  readonly type = 'batch-append-wire';
  constructor(message: string) {
    super(`malformed BatchAppendReq: ${message}`);
    this.name = 'BatchAppendWireError';
  }
}

export class PlainUuid implements WireUuid {
  readonly structured: { readonly most: string; readonly least: string } | undefined;
  readonly text: string | undefined;
  constructor(structured: PlainUuid['structured'], text: string | undefined) {
    this.structured = structured;
    this.text = text;
  }
  hasStructured(): boolean {
    return this.structured !== undefined;
  }
  getStructured() {
    const { structured } = this;
    return structured && { getMostSignificantBits: () => structured.most, getLeastSignificantBits: () => structured.least };
  }
  hasString(): boolean {
    return this.text !== undefined;
  }
  getString(): string {
    return this.text ?? '';
  }
}

class DecodedProposedMessage implements WireProposedMessage {
  readonly #id: PlainUuid | undefined;
  readonly #metadata: Map<string, string>;
  readonly #customMetadata: Uint8Array;
  readonly #data: Uint8Array;
  constructor(id: PlainUuid | undefined, metadata: Map<string, string>, customMetadata: Uint8Array, data: Uint8Array) {
    this.#id = id;
    this.#metadata = metadata;
    this.#customMetadata = customMetadata;
    this.#data = data;
  }
  getId() {
    return this.#id;
  }
  getMetadataMap() {
    return this.#metadata;
  }
  getData_asU8() {
    return this.#data;
  }
  getCustomMetadata_asU8() {
    return this.#customMetadata;
  }
}

const empty: Uint8Array = new Uint8Array(0);

export function decodeBatchAppendReq(bytes: Buffer): DecodedBatchAppend {
  let correlationId: PlainUuid | undefined;
  let options: DecodedOptions | undefined;
  const proposedMessages: WireProposedMessage[] = [];
  let isFinal = false;
  const reader = new FieldReader(bytes, 0, bytes.length);
  for (let field = reader.next(); field !== 0; field = reader.next()) {
    if (field === 1) correlationId = decodeUuid(reader.message());
    else if (field === 2) options = decodeOptions(reader.message());
    else if (field === 3) proposedMessages.push(decodeProposed(reader.message()));
    else if (field === 4) isFinal = reader.varint() !== 0n;
    else reader.skip();
  }
  return { correlationId, options, proposedMessages, isFinal };
}

function decodeUuid(reader: FieldReader): PlainUuid {
  let structured: { most: string; least: string } | undefined;
  let text: string | undefined;
  for (let field = reader.next(); field !== 0; field = reader.next()) {
    if (field === 1) {
      structured = { most: '0', least: '0' };
      const parts = reader.message();
      for (let part = parts.next(); part !== 0; part = parts.next()) {
        if (part === 1) structured.most = BigInt.asIntN(64, parts.varint()).toString();
        else if (part === 2) structured.least = BigInt.asIntN(64, parts.varint()).toString();
        else parts.skip();
      }
      text = undefined;
    } else if (field === 2) {
      text = reader.text();
      structured = undefined;
    } else reader.skip();
  }
  return new PlainUuid(structured, text);
}

function decodeOptions(reader: FieldReader): DecodedOptions {
  let streamName: string | undefined;
  let expected: WireExpectation;
  let deadline: Date | undefined;
  for (let field = reader.next(); field !== 0; field = reader.next()) {
    switch (field) {
      case 1: {
        streamName = '';
        const identifier = reader.message();
        for (let part = identifier.next(); part !== 0; part = identifier.next()) {
          if (part === 3) streamName = identifier.text();
          else identifier.skip();
        }
        break;
      }
      case 2:
        expected = { revision: BigInt.asUintN(64, reader.varint()).toString() };
        break;
      case 3:
        reader.skip();
        expected = 'no_stream';
        break;
      case 4:
        reader.skip();
        expected = 'any';
        break;
      case 5:
        reader.skip();
        expected = 'stream_exists';
        break;
      case 6: {
        let seconds = 0n;
        let nanos = 0;
        const timestamp = reader.message();
        for (let part = timestamp.next(); part !== 0; part = timestamp.next()) {
          if (part === 1) seconds = BigInt.asIntN(64, timestamp.varint());
          else if (part === 2) nanos = Number(BigInt.asIntN(32, timestamp.varint()));
          else timestamp.skip();
        }
        deadline = new Date(Number(seconds) * 1000 + nanos / 1_000_000);
        break;
      }
      default:
        reader.skip();
    }
  }
  return { streamName, expected, deadline };
}

function decodeProposed(reader: FieldReader): WireProposedMessage {
  let id: PlainUuid | undefined;
  const metadata = new Map<string, string>();
  let customMetadata: Uint8Array = empty;
  let data: Uint8Array = empty;
  for (let field = reader.next(); field !== 0; field = reader.next()) {
    if (field === 1) id = decodeUuid(reader.message());
    else if (field === 2) {
      let key = '';
      let value = '';
      const entry = reader.message();
      for (let part = entry.next(); part !== 0; part = entry.next()) {
        if (part === 1) key = entry.text();
        else if (part === 2) value = entry.text();
        else entry.skip();
      }
      metadata.set(key, value);
    } else if (field === 3) customMetadata = reader.payload();
    else if (field === 4) data = reader.payload();
    else reader.skip();
  }
  return new DecodedProposedMessage(id, metadata, customMetadata, data);
}

const varintType = 0;
const fixed64Type = 1;
const lengthDelimitedType = 2;
const fixed32Type = 5;

/**
 * Walks the fields of the message in `bytes[start, end)`: `next()` reads the next field's key and
 * returns its number (0 at the end), after which the field must be read or skipped.
 */
class FieldReader {
  private readonly bytes: Buffer;
  private offset: number;
  private readonly end: number;
  private wireType = 0;

  constructor(bytes: Buffer, start: number, end: number) {
    this.bytes = bytes;
    this.offset = start;
    this.end = end;
  }

  next(): number {
    if (this.offset >= this.end) return 0;
    const key = this.readSmall();
    this.wireType = key & 7;
    const field = Math.floor(key / 8);
    if (field === 0) throw new BatchAppendWireError('field number 0');
    return field;
  }

  varint(): bigint {
    if (this.wireType !== varintType) throw new BatchAppendWireError(`wire type ${this.wireType} where a varint was expected`);
    return this.readVarint();
  }

  payload(): Uint8Array {
    const from = this.span();
    return this.bytes.subarray(from, this.offset);
  }

  text(): string {
    const from = this.span();
    return this.bytes.toString('utf8', from, this.offset);
  }

  /** A reader of the embedded message this field holds. */
  message(): FieldReader {
    const from = this.span();
    return new FieldReader(this.bytes, from, this.offset);
  }

  skip(): void {
    if (this.wireType === varintType) this.readVarint();
    else if (this.wireType === lengthDelimitedType) this.span();
    else if (this.wireType === fixed64Type) this.offset += 8;
    else if (this.wireType === fixed32Type) this.offset += 4;
    else throw new BatchAppendWireError(`wire type ${this.wireType} is not supported`);
    if (this.offset > this.end) throw new BatchAppendWireError('truncated field');
  }

  /** Moves past a length-delimited field; returns where its content starts (it ends at the new offset). */
  private span(): number {
    if (this.wireType !== lengthDelimitedType) throw new BatchAppendWireError(`wire type ${this.wireType} where a length-delimited field was expected`);
    const length = this.readSmall();
    const from = this.offset;
    const to = from + length;
    if (to > this.end) throw new BatchAppendWireError('truncated field');
    this.offset = to;
    return from;
  }

  private readVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.offset >= this.end) throw new BatchAppendWireError('truncated varint');
      const byte = this.bytes[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
      if (shift > 63n) throw new BatchAppendWireError('varint too long');
    }
  }

  private readSmall(): number {
    let result = 0;
    let factor = 1;
    for (;;) {
      if (this.offset >= this.end) throw new BatchAppendWireError('truncated varint');
      const byte = this.bytes[this.offset++]!;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 128;
      if (factor > 2 ** 49) throw new BatchAppendWireError('length too large');
    }
  }
}
