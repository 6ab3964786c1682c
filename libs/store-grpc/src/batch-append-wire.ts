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
  forEachField(bytes, 0, bytes.length, (field, reader) => {
    if (field === 1) correlationId = reader.message((start, end) => decodeUuid(bytes, start, end));
    else if (field === 2) options = reader.message((start, end) => decodeOptions(bytes, start, end));
    else if (field === 3) proposedMessages.push(reader.message((start, end) => decodeProposed(bytes, start, end)));
    else if (field === 4) isFinal = reader.varint() !== 0n;
    else reader.skip();
  });
  return { correlationId, options, proposedMessages, isFinal };
}

function decodeUuid(bytes: Buffer, start: number, end: number): PlainUuid {
  let structured: { most: string; least: string } | undefined;
  let text: string | undefined;
  forEachField(bytes, start, end, (field, reader) => {
    if (field === 1) {
      structured = { most: '0', least: '0' };
      const parts = structured;
      reader.message((from, to) =>
        forEachField(bytes, from, to, (part, partReader) => {
          if (part === 1) parts.most = BigInt.asIntN(64, partReader.varint()).toString();
          else if (part === 2) parts.least = BigInt.asIntN(64, partReader.varint()).toString();
          else partReader.skip();
        }),
      );
      text = undefined;
    } else if (field === 2) {
      text = reader.text();
      structured = undefined;
    } else reader.skip();
  });
  return new PlainUuid(structured, text);
}

function decodeOptions(bytes: Buffer, start: number, end: number): DecodedOptions {
  let streamName: string | undefined;
  let expected: WireExpectation;
  let deadline: Date | undefined;
  forEachField(bytes, start, end, (field, reader) => {
    switch (field) {
      case 1:
        streamName = '';
        reader.message((from, to) =>
          forEachField(bytes, from, to, (part, partReader) => {
            if (part === 3) streamName = partReader.text();
            else partReader.skip();
          }),
        );
        return;
      case 2:
        expected = { revision: BigInt.asUintN(64, reader.varint()).toString() };
        return;
      case 3:
        reader.skip();
        expected = 'no_stream';
        return;
      case 4:
        reader.skip();
        expected = 'any';
        return;
      case 5:
        reader.skip();
        expected = 'stream_exists';
        return;
      case 6: {
        let seconds = 0n;
        let nanos = 0;
        reader.message((from, to) =>
          forEachField(bytes, from, to, (part, partReader) => {
            if (part === 1) seconds = BigInt.asIntN(64, partReader.varint());
            else if (part === 2) nanos = Number(BigInt.asIntN(32, partReader.varint()));
            else partReader.skip();
          }),
        );
        deadline = new Date(Number(seconds) * 1000 + nanos / 1_000_000);
        return;
      }
      default:
        reader.skip();
    }
  });
  return { streamName, expected, deadline };
}

function decodeProposed(bytes: Buffer, start: number, end: number): WireProposedMessage {
  let id: PlainUuid | undefined;
  const metadata = new Map<string, string>();
  let customMetadata: Uint8Array = empty;
  let data: Uint8Array = empty;
  forEachField(bytes, start, end, (field, reader) => {
    if (field === 1) id = reader.message((from, to) => decodeUuid(bytes, from, to));
    else if (field === 2) {
      let key = '';
      let value = '';
      reader.message((from, to) =>
        forEachField(bytes, from, to, (part, partReader) => {
          if (part === 1) key = partReader.text();
          else if (part === 2) value = partReader.text();
          else partReader.skip();
        }),
      );
      metadata.set(key, value);
    } else if (field === 3) customMetadata = reader.bytes();
    else if (field === 4) data = reader.bytes();
    else reader.skip();
  });
  return new DecodedProposedMessage(id, metadata, customMetadata, data);
}

interface FieldReader {
  varint(): bigint;
  bytes(): Uint8Array;
  text(): string;
  message<T>(decode: (start: number, end: number) => T): T;
  skip(): void;
}

const varintType = 0;
const fixed64Type = 1;
const lengthDelimitedType = 2;
const fixed32Type = 5;

/** Calls `visit` for each field of the message in `bytes[start, end)`; `visit` must read or skip it. */
function forEachField(bytes: Buffer, start: number, end: number, visit: (field: number, reader: FieldReader) => void): void {
  let offset = start;
  let wireType = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (offset >= end) throw new BatchAppendWireError('truncated varint');
      const byte = bytes[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
      if (shift > 63n) throw new BatchAppendWireError('varint too long');
    }
  };
  const readSmall = (): number => {
    let result = 0;
    let factor = 1;
    for (;;) {
      if (offset >= end) throw new BatchAppendWireError('truncated varint');
      const byte = bytes[offset++]!;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 128;
      if (factor > 2 ** 49) throw new BatchAppendWireError('length too large');
    }
  };
  const span = (): [number, number] => {
    if (wireType !== lengthDelimitedType) throw new BatchAppendWireError(`wire type ${wireType} where a length-delimited field was expected`);
    const length = readSmall();
    const from = offset;
    const to = from + length;
    if (to > end) throw new BatchAppendWireError('truncated field');
    offset = to;
    return [from, to];
  };
  const reader: FieldReader = {
    varint: () => {
      if (wireType !== varintType) throw new BatchAppendWireError(`wire type ${wireType} where a varint was expected`);
      return readVarint();
    },
    bytes: () => {
      const [from, to] = span();
      return bytes.subarray(from, to);
    },
    text: () => {
      const [from, to] = span();
      return bytes.toString('utf8', from, to);
    },
    message: (decode) => {
      const [from, to] = span();
      return decode(from, to);
    },
    skip: () => {
      if (wireType === varintType) readVarint();
      else if (wireType === lengthDelimitedType) span();
      else if (wireType === fixed64Type) offset += 8;
      else if (wireType === fixed32Type) offset += 4;
      else throw new BatchAppendWireError(`wire type ${wireType} is not supported`);
      if (offset > end) throw new BatchAppendWireError('truncated field');
    },
  };
  while (offset < end) {
    const key = readSmall();
    wireType = key & 7;
    const field = Math.floor(key / 8);
    if (field === 0) throw new BatchAppendWireError('field number 0');
    visit(field, reader);
  }
}
