/**
 * The parts of `BatchAppendReq` the client builds for every append, written as google-protobuf's
 * generated serializers write them (each field only when set, in field order, map entries sorted
 * by key, every tag below 16 so one byte), straight into one buffer instead of through jspb's
 * BinaryWriter. Each encoder answers undefined for what it does not copy exactly (a structured
 * UUID, text that is not well-formed UTF-16, a number out of the plain range): the caller then
 * uses the generated serializer.
 */

export interface UuidFields {
  hasStructured(): boolean;
  hasString(): boolean;
  getString(): string;
}

interface MetadataMap {
  getLength(): number;
  /** Sorted by key, as the map serializes them. */
  getEntryList(): [unknown, unknown][];
}

export interface ProposedMessageFields {
  getId(): UuidFields | null | undefined;
  getMetadataMap(noLazyCreate: true): MetadataMap | null | undefined;
  getCustomMetadata_asU8(): Uint8Array;
  getData_asU8(): Uint8Array;
}

export interface OptionsFields {
  getStreamIdentifier(): { getStreamName_asU8(): Uint8Array } | null | undefined;
  hasStreamPosition(): boolean;
  getStreamPosition(): unknown;
  getNoStream(): unknown;
  getAny(): unknown;
  getStreamExists(): unknown;
  getDeadline(): { getSeconds(): number; getNanos(): number } | null | undefined;
}

const lengthDelimited = 2;
const varintType = 0;

function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

function bigVarintSize(value: bigint): number {
  let size = 1;
  while (value >= 0x80n) {
    value >>= 7n;
    size++;
  }
  return size;
}

/** Tag, length and content of a length-delimited field. */
function delimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

class Writer {
  readonly bytes: Buffer;
  position = 0;
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }
  byte(value: number): void {
    this.bytes[this.position++] = value;
  }
  varint(value: number): void {
    while (value >= 0x80) {
      this.bytes[this.position++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.position++] = value;
  }
  bigVarint(value: bigint): void {
    while (value >= 0x80n) {
      this.bytes[this.position++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.bytes[this.position++] = Number(value);
  }
  delimited(field: number, length: number): void {
    this.byte(tag(field, lengthDelimited));
    this.varint(length);
  }
  raw(bytes: Uint8Array): void {
    this.bytes.set(bytes, this.position);
    this.position += bytes.length;
  }
  text(value: string, byteLength: number): void {
    if (byteLength === value.length && byteLength < 64) {
      for (let index = 0; index < byteLength; index++) this.bytes[this.position++] = value.charCodeAt(index);
    } else {
      this.position += this.bytes.write(value, this.position, byteLength, 'utf8');
    }
  }
  /** A plain Uint8Array, as the generated serializer gives, over the buffer's memory. */
  done(): Uint8Array {
    if (this.position !== this.bytes.length) throw new Error(`protobuf encoder wrote ${this.position} of ${this.bytes.length} bytes`);
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  }
}

/** The UTF-8 length of well-formed text; undefined for a lone surrogate, which jspb encodes its own way. */
function utf8Length(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value.isWellFormed()) return undefined;
  return Buffer.byteLength(value, 'utf8');
}

/** `UUID { oneof value { Structured structured = 1; string string = 2; } }`, text form only. */
export function encodeUuid(uuid: UuidFields): Uint8Array | undefined {
  const text = uuidText(uuid);
  if (text === undefined) return undefined;
  const writer = new Writer(text.value === undefined ? 0 : delimitedSize(text.length));
  if (text.value !== undefined) {
    writer.delimited(2, text.length);
    writer.text(text.value, text.length);
  }
  return writer.done();
}

function uuidText(uuid: UuidFields): { readonly value: string | undefined; readonly length: number } | undefined {
  if (uuid.hasStructured()) return undefined;
  if (!uuid.hasString()) return { value: undefined, length: 0 };
  const value = uuid.getString();
  const length = utf8Length(value);
  return length === undefined ? undefined : { value, length };
}

/** `ProposedMessage { UUID id = 1; map<string, string> metadata = 2; bytes custom_metadata = 3; bytes data = 4; }` */
export function encodeProposedMessage(message: ProposedMessageFields): Uint8Array | undefined {
  const id = message.getId();
  const idText = id == null ? undefined : uuidText(id);
  if (id != null && idText === undefined) return undefined;
  const idSize = idText === undefined ? 0 : idText.value === undefined ? 0 : delimitedSize(idText.length);

  const map = message.getMetadataMap(true);
  const entries = map && map.getLength() > 0 ? map.getEntryList() : [];
  const entryLengths: number[] = [];
  let size = idText === undefined ? 0 : delimitedSize(idSize);
  for (const [key, value] of entries) {
    const keyLength = utf8Length(key);
    const valueLength = utf8Length(value);
    if (keyLength === undefined || valueLength === undefined) return undefined;
    const entryLength = delimitedSize(keyLength) + delimitedSize(valueLength);
    entryLengths.push(keyLength, valueLength, entryLength);
    size += delimitedSize(entryLength);
  }
  const customMetadata = message.getCustomMetadata_asU8();
  const data = message.getData_asU8();
  if (customMetadata.length > 0) size += delimitedSize(customMetadata.length);
  if (data.length > 0) size += delimitedSize(data.length);

  const writer = new Writer(size);
  if (idText !== undefined) {
    writer.delimited(1, idSize);
    if (idText.value !== undefined) {
      writer.delimited(2, idText.length);
      writer.text(idText.value, idText.length);
    }
  }
  for (let index = 0; index < entries.length; index++) {
    const [key, value] = entries[index]! as [string, string];
    const keyLength = entryLengths[3 * index]!;
    const valueLength = entryLengths[3 * index + 1]!;
    writer.delimited(2, entryLengths[3 * index + 2]!);
    writer.delimited(1, keyLength);
    writer.text(key, keyLength);
    writer.delimited(2, valueLength);
    writer.text(value, valueLength);
  }
  if (customMetadata.length > 0) {
    writer.delimited(3, customMetadata.length);
    writer.raw(customMetadata);
  }
  if (data.length > 0) {
    writer.delimited(4, data.length);
    writer.raw(data);
  }
  return writer.done();
}

const maxUint64 = 2n ** 64n - 1n;

/** Up to 15 digits a double holds the value exactly, and the varint is written without BigInt. */
function uint64FromDecimal(value: unknown): number | bigint | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 20) return undefined;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  if (value.length <= 15) return Number(value);
  const parsed = BigInt(value);
  return parsed <= maxUint64 ? parsed : undefined;
}

function isPlainInt(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limit;
}

/**
 * `Options { StreamIdentifier stream_identifier = 1; oneof expected_stream_position { uint64
 * stream_position = 2; Empty no_stream = 3; Empty any = 4; Empty stream_exists = 5; }
 * Timestamp deadline = 6; }`, with `StreamIdentifier { bytes stream_name = 3; }` and
 * `Timestamp { int64 seconds = 1; int32 nanos = 2; }` (both written only when not 0). Empty has
 * no fields, so it is always written as nothing.
 */
export function encodeBatchAppendOptions(options: OptionsFields): Uint8Array | undefined {
  const identifier = options.getStreamIdentifier();
  const streamName = identifier == null ? undefined : identifier.getStreamName_asU8();
  const identifierSize = streamName === undefined || streamName.length === 0 ? 0 : delimitedSize(streamName.length);
  const position = options.hasStreamPosition() ? uint64FromDecimal(options.getStreamPosition()) : undefined;
  if (options.hasStreamPosition() && position === undefined) return undefined;
  const empties = [options.getNoStream() != null, options.getAny() != null, options.getStreamExists() != null];
  const deadline = options.getDeadline();
  let seconds = 0;
  let nanos = 0;
  if (deadline != null) {
    seconds = deadline.getSeconds();
    nanos = deadline.getNanos();
    if (!isPlainInt(seconds, Number.MAX_SAFE_INTEGER) || !isPlainInt(nanos, 0x7fffffff)) return undefined;
  }
  const deadlineSize = (seconds === 0 ? 0 : 1 + varintSize(seconds)) + (nanos === 0 ? 0 : 1 + varintSize(nanos));

  let size = identifier == null ? 0 : delimitedSize(identifierSize);
  if (position !== undefined) size += 1 + (typeof position === 'number' ? varintSize(position) : bigVarintSize(position));
  for (const present of empties) if (present) size += 2;
  if (deadline != null) size += delimitedSize(deadlineSize);

  const writer = new Writer(size);
  if (identifier != null) {
    writer.delimited(1, identifierSize);
    if (streamName !== undefined && streamName.length > 0) {
      writer.delimited(3, streamName.length);
      writer.raw(streamName);
    }
  }
  if (position !== undefined) {
    writer.byte(tag(2, varintType));
    if (typeof position === 'number') writer.varint(position);
    else writer.bigVarint(position);
  }
  empties.forEach((present, index) => {
    if (present) writer.delimited(3 + index, 0);
  });
  if (deadline != null) {
    writer.delimited(6, deadlineSize);
    if (seconds !== 0) {
      writer.byte(tag(1, varintType));
      writer.varint(seconds);
    }
    if (nanos !== 0) {
      writer.byte(tag(2, varintType));
      writer.varint(nanos);
    }
  }
  return writer.done();
}

/**
 * `BatchAppendReq { UUID correlation_id = 1; Options options = 2; repeated ProposedMessage
 * proposed_messages = 3; bool is_final = 4; }` from its parts already serialized: a message
 * field is its serialization behind its tag and length.
 */
export function encodeBatchAppendRequest(
  correlationId: Uint8Array | undefined,
  options: Uint8Array | undefined,
  proposed: readonly Uint8Array[],
  isFinal: boolean,
): Uint8Array {
  let size = 0;
  if (correlationId !== undefined) size += delimitedSize(correlationId.length);
  if (options !== undefined) size += delimitedSize(options.length);
  for (const bytes of proposed) size += delimitedSize(bytes.length);
  if (isFinal) size += 2;
  const writer = new Writer(size);
  if (correlationId !== undefined) {
    writer.delimited(1, correlationId.length);
    writer.raw(correlationId);
  }
  if (options !== undefined) {
    writer.delimited(2, options.length);
    writer.raw(options);
  }
  for (const bytes of proposed) {
    writer.delimited(3, bytes.length);
    writer.raw(bytes);
  }
  if (isFinal) {
    writer.byte(tag(4, varintType));
    writer.byte(1);
  }
  return writer.done();
}
