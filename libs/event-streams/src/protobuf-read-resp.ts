import { bail, clientStreamsModule, DecodedByHand, installFastDeserializer, readOrUndefined, type DeserializeGenerated, type GeneratedMessage } from './protobuf-fast-deserializer.ts';

/**
 * The kinds of `ReadResp` every read and subscription delivers by the thousand: an event
 * without a link, its id as text, and a filtered subscription's checkpoint. They are decoded here into small objects that answer the getters
 * the client calls on it (`convertGrpcEvent`, ReadStream, Subscription) with what the generated
 * classes would answer, instead of building google-protobuf messages field by field (12% of the
 * decider's CPU, 8% of the projector's). Anything else, or anything unexpected on the wire (a
 * link, a structured id, an unknown or repeated field, a wire type that does not fit), is left to
 * the generated decoder, which then sees exactly the bytes it always saw.
 */
export function decodeReadEventResp(bytes: Uint8Array, generated: DeserializeGenerated): FastReadResp | FastCheckpointResp | undefined {
  return readOrUndefined(() => {
    const content = readResp(new WireReader(bytes));
    const generatedLater = () => generated(bytes);
    return content instanceof FastCheckpoint ? new FastCheckpointResp(content, generatedLater) : new FastReadResp(content, generatedLater);
  });
}

/** `ReadResp` of the generated module the client loads: its `deserializeBinary` is what gRPC calls for every answer to a read. */
export function clientReadRespClass(): { deserializeBinary: DeserializeGenerated } {
  return clientStreamsModule<{ ReadResp: { deserializeBinary: DeserializeGenerated } }>().ReadResp;
}

/** Idempotent. */
export function useFastReadRespDecoding(readRespClass: { deserializeBinary: DeserializeGenerated } = clientReadRespClass()): void {
  installFastDeserializer(readRespClass, Symbol.for('spillway.fastReadResp'), decodeReadEventResp);
}

export const lengthDelimited = 2;
export const varint = 0;

export class WireReader {
  readonly bytes: Uint8Array;
  position: number;
  readonly end: number;
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
  }

  get done(): boolean {
    return this.position >= this.end;
  }

  /** The next field's tag: number and wire type. */
  tag(): { readonly field: number; readonly wireType: number } {
    const tag = this.varint32();
    return { field: tag >>> 3, wireType: tag & 7 };
  }

  varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.position >= this.end) bail();
      const byte = this.bytes[this.position++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result > 0xffffffff ? bail() : result;
    }
    return bail();
  }

  /** An unsigned 64-bit varint as decimal text, as google-protobuf's readUint64String gives it. */
  uint64String(): string {
    const start = this.position;
    let result = 0;
    for (let index = 0; index < 7; index++) {
      if (this.position >= this.end) bail();
      const byte = this.bytes[this.position++]!;
      result += (byte & 0x7f) * 2 ** (7 * index);
      if (byte < 0x80) return String(result);
    }
    this.position = start;
    let big = 0n;
    for (let index = 0; index < 10; index++) {
      if (this.position >= this.end) bail();
      const byte = this.bytes[this.position++]!;
      big |= BigInt(byte & 0x7f) << BigInt(7 * index);
      if (byte < 0x80) return BigInt.asUintN(64, big).toString();
    }
    return bail();
  }

  /** The bounds of a length-delimited field's content, skipped over. */
  delimited(): { readonly start: number; readonly end: number } {
    const length = this.varint32();
    const start = this.position;
    const end = start + length;
    if (end > this.end) bail();
    this.position = end;
    return { start, end };
  }

  /** Bytes as google-protobuf's readBytes gives them: a view of the message's buffer. */
  bytesField(): Uint8Array {
    const { start, end } = this.delimited();
    return this.bytes.subarray(start, end);
  }

  /** ASCII text only: google-protobuf's own UTF-8 decoder is not copied here, so other text goes to it. */
  stringField(): string {
    const { start, end } = this.delimited();
    let text = '';
    for (let index = start; index < end; index++) {
      const code = this.bytes[index]!;
      if (code >= 0x80) bail();
      text += String.fromCharCode(code);
    }
    return text;
  }

  sub(): WireReader {
    const { start, end } = this.delimited();
    return new WireReader(this.bytes, start, end);
  }
}


export function expectWireType(actual: number, expected: number): void {
  if (actual !== expected) bail();
}

/** `ReadResp { oneof content { ReadEvent event = 1; ...; Checkpoint checkpoint = 3; ... } }`: an event or a checkpoint, once. */
function readResp(reader: WireReader): FastReadEvent | FastCheckpoint {
  let content: FastReadEvent | FastCheckpoint | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if ((field !== 1 && field !== 3) || content !== undefined) bail();
    expectWireType(wireType, lengthDelimited);
    content = field === 1 ? readEvent(reader.sub()) : checkpoint(reader.sub());
  }
  return content ?? bail();
}

/** `Checkpoint { uint64 commit_position = 1; uint64 prepare_position = 2; }`, each once: filtered subscriptions get one with nearly every batch. */
function checkpoint(reader: WireReader): FastCheckpoint {
  let commit: string | undefined;
  let prepare: string | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    expectWireType(wireType, varint);
    if (field === 1 && commit === undefined) commit = reader.uint64String();
    else if (field === 2 && prepare === undefined) prepare = reader.uint64String();
    else bail();
  }
  return new FastCheckpoint(commit ?? '0', prepare ?? '0');
}

function readEvent(reader: WireReader): FastReadEvent {
  let recorded: FastRecordedEvent | undefined;
  let commitPosition: string | undefined;
  let noPosition = false;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1 && recorded === undefined) {
      expectWireType(wireType, lengthDelimited);
      recorded = recordedEvent(reader.sub());
    } else if ((field === 3 || field === 4) && commitPosition === undefined && !noPosition) {
      // One of the `position` oneof, once.
      if (field === 3) {
        expectWireType(wireType, varint);
        commitPosition = reader.uint64String();
      } else {
        expectWireType(wireType, lengthDelimited);
        if (!reader.sub().done) bail();
        noPosition = true;
      }
    } else {
      bail();
    }
  }
  return recorded === undefined ? bail() : new FastReadEvent(recorded, commitPosition, noPosition);
}

function recordedEvent(reader: WireReader): FastRecordedEvent {
  let seen = 0;
  const fields: RecordedFields = { metadata: new Map() };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field < 1 || field > 8) bail();
    // Map entries repeat; every other field may appear once (a repeat has merge rules not copied here).
    if (field !== 6 && (seen & (1 << field)) !== 0) bail();
    seen |= 1 << field;
    switch (field) {
      case 1:
        expectWireType(wireType, lengthDelimited);
        fields.id = uuidString(reader.sub());
        break;
      case 2:
        expectWireType(wireType, lengthDelimited);
        fields.streamName = streamName(reader.sub());
        break;
      case 3:
      case 4:
      case 5: {
        expectWireType(wireType, varint);
        const value = reader.uint64String();
        if (field === 3) fields.streamRevision = value;
        else if (field === 4) fields.preparePosition = value;
        else fields.commitPosition = value;
        break;
      }
      case 6: {
        expectWireType(wireType, lengthDelimited);
        const [key, value] = mapEntry(reader.sub());
        fields.metadata.set(key, value);
        break;
      }
      case 7:
        expectWireType(wireType, lengthDelimited);
        fields.customMetadata = reader.bytesField();
        break;
      case 8:
        expectWireType(wireType, lengthDelimited);
        fields.data = reader.bytesField();
        break;
      default:
        bail();
    }
  }
  return new FastRecordedEvent(fields);
}

/** `UUID { oneof value { Structured structured = 1; string string = 2; } }`: the text form only. */
export function uuidString(reader: WireReader): string {
  let text: string | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field !== 2 || text !== undefined) bail();
    expectWireType(wireType, lengthDelimited);
    text = reader.stringField();
  }
  return text ?? bail();
}

/** `StreamIdentifier { bytes stream_name = 3; }` */
export function streamName(reader: WireReader): Uint8Array | undefined {
  let name: Uint8Array | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field !== 3 || name !== undefined) bail();
    expectWireType(wireType, lengthDelimited);
    name = reader.bytesField();
  }
  return name;
}

/** A `map<string, string>` entry: key 1, value 2, each "" when absent, as google-protobuf's Map reads it. */
function mapEntry(reader: WireReader): [string, string] {
  let key = '';
  let value = '';
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field !== 1 && field !== 2) bail();
    expectWireType(wireType, lengthDelimited);
    if (field === 1) key = reader.stringField();
    else value = reader.stringField();
  }
  return [key, value];
}

interface RecordedFields {
  id?: string;
  streamName?: Uint8Array | undefined;
  streamRevision?: string;
  preparePosition?: string;
  commitPosition?: string;
  readonly metadata: Map<string, string>;
  customMetadata?: Uint8Array;
  data?: Uint8Array;
}

const emptyBytes = new Uint8Array(0);

/** What the generated `ReadResp` answers when none of its content fields is set; the subclasses set one. */
abstract class FastReadRespBase extends DecodedByHand {
  abstract getContentCase(): number;
  hasEvent(): boolean {
    return false;
  }
  getEvent(): FastReadEvent | undefined {
    return undefined;
  }
  hasConfirmation(): boolean {
    return false;
  }
  getConfirmation(): undefined {
    return undefined;
  }
  hasCheckpoint(): boolean {
    return false;
  }
  getCheckpoint(): FastCheckpoint | undefined {
    return undefined;
  }
  hasStreamNotFound(): boolean {
    return false;
  }
  getStreamNotFound(): undefined {
    return undefined;
  }
  hasFirstStreamPosition(): boolean {
    return false;
  }
  hasLastStreamPosition(): boolean {
    return false;
  }
  hasLastAllStreamPosition(): boolean {
    return false;
  }
  hasCaughtUp(): boolean {
    return false;
  }
  getCaughtUp(): undefined {
    return undefined;
  }
  hasFellBehind(): boolean {
    return false;
  }
  getFellBehind(): undefined {
    return undefined;
  }
}

/** An event answer: content case EVENT (1). */
export class FastReadResp extends FastReadRespBase {
  readonly #event: FastReadEvent;
  constructor(event: FastReadEvent, generated: () => GeneratedMessage) {
    super(generated);
    this.#event = event;
  }
  override hasEvent(): boolean {
    return true;
  }
  override getEvent(): FastReadEvent {
    return this.#event;
  }
  getContentCase(): number {
    return 1;
  }
}

/** A checkpoint answer: content case CHECKPOINT (3). */
export class FastCheckpointResp extends FastReadRespBase {
  readonly #checkpoint: FastCheckpoint;
  constructor(checkpoint: FastCheckpoint, generated: () => GeneratedMessage) {
    super(generated);
    this.#checkpoint = checkpoint;
  }
  override hasCheckpoint(): boolean {
    return true;
  }
  override getCheckpoint(): FastCheckpoint {
    return this.#checkpoint;
  }
  getContentCase(): number {
    return 3;
  }
}

export class FastCheckpoint {
  readonly #commitPosition: string;
  readonly #preparePosition: string;
  constructor(commitPosition: string, preparePosition: string) {
    this.#commitPosition = commitPosition;
    this.#preparePosition = preparePosition;
  }
  getCommitPosition(): string {
    return this.#commitPosition;
  }
  getPreparePosition(): string {
    return this.#preparePosition;
  }
}

/** `ReadEvent`: the event, no link, and the `position` oneof (commit position 3, no position 4, or neither). */
export class FastReadEvent {
  readonly #event: FastRecordedEvent;
  readonly #commitPosition: string | undefined;
  readonly #noPosition: boolean;
  constructor(event: FastRecordedEvent, commitPosition: string | undefined, noPosition: boolean) {
    this.#event = event;
    this.#commitPosition = commitPosition;
    this.#noPosition = noPosition;
  }
  hasEvent(): boolean {
    return true;
  }
  getEvent(): FastRecordedEvent {
    return this.#event;
  }
  hasLink(): boolean {
    return false;
  }
  getLink(): undefined {
    return undefined;
  }
  hasCommitPosition(): boolean {
    return this.#commitPosition !== undefined;
  }
  getCommitPosition(): string {
    return this.#commitPosition ?? '0';
  }
  hasNoPosition(): boolean {
    return this.#noPosition;
  }
  getPositionCase(): number {
    return this.#commitPosition !== undefined ? 3 : this.#noPosition ? 4 : 0;
  }
}

/** `RecordedEvent`, with google-protobuf's defaults for absent fields ("0" for positions, "" for bytes). */
export class FastRecordedEvent {
  readonly #fields: RecordedFields;
  constructor(fields: RecordedFields) {
    this.#fields = fields;
  }
  /** The same event with its content type set to another (lazy-event-data.ts). */
  withContentType(contentType: string): FastRecordedEvent {
    return new FastRecordedEvent({ ...this.#fields, metadata: new Map(this.#fields.metadata).set('content-type', contentType) });
  }
  hasId(): boolean {
    return this.#fields.id !== undefined;
  }
  getId(): FastUuid | undefined {
    return this.#fields.id === undefined ? undefined : new FastUuid(this.#fields.id);
  }
  hasStreamIdentifier(): boolean {
    return 'streamName' in this.#fields;
  }
  getStreamIdentifier(): FastStreamIdentifier | undefined {
    return 'streamName' in this.#fields ? new FastStreamIdentifier(this.#fields.streamName) : undefined;
  }
  getStreamRevision(): string {
    return this.#fields.streamRevision ?? '0';
  }
  getPreparePosition(): string {
    return this.#fields.preparePosition ?? '0';
  }
  getCommitPosition(): string {
    return this.#fields.commitPosition ?? '0';
  }
  getMetadataMap(): ReadonlyMap<string, string> {
    return this.#fields.metadata;
  }
  getCustomMetadata(): Uint8Array | string {
    return this.#fields.customMetadata ?? '';
  }
  getCustomMetadata_asU8(): Uint8Array {
    return this.#fields.customMetadata ?? emptyBytes;
  }
  getData(): Uint8Array | string {
    return this.#fields.data ?? '';
  }
  getData_asU8(): Uint8Array {
    return this.#fields.data ?? emptyBytes;
  }
}

export class FastUuid {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  hasStructured(): boolean {
    return false;
  }
  getStructured(): undefined {
    return undefined;
  }
  hasString(): boolean {
    return true;
  }
  getString(): string {
    return this.#text;
  }
}

export class FastStreamIdentifier {
  readonly #name: Uint8Array | undefined;
  constructor(name: Uint8Array | undefined) {
    this.#name = name;
  }
  getStreamName(): Uint8Array | string {
    return this.#name ?? '';
  }
  getStreamName_asU8(): Uint8Array {
    return this.#name ?? emptyBytes;
  }
}
