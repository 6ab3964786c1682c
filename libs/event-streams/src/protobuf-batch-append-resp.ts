import {
  FastStreamIdentifier,
  FastUuid,
  WireReader,
  expectWireType,
  lengthDelimited,
  streamName,
  uuidString,
  varint,
} from './protobuf-read-resp.ts';
import { bail, clientStreamsModule, DecodedByHand, installFastDeserializer, readOrUndefined, type DeserializeGenerated, type GeneratedMessage } from './protobuf-fast-deserializer.ts';

/**
 * The answer to every append: a success with the correlation id as text, the stream's revision
 * and the position. It is decoded here into small objects that answer the getters the client's
 * batchAppend calls with what the generated classes would answer (building them was 1 to 2% of
 * the bench's and the projector's CPU). Anything else (an error, no_stream, no_position, a
 * structured id, an unknown or repeated field) is left to the generated decoder.
 *
 *   BatchAppendResp { UUID correlation_id = 1; Status error = 2; Success success = 3; StreamIdentifier stream_identifier = 4; ... }
 *   Success { oneof { uint64 current_revision = 1; Empty no_stream = 2; } oneof { AllStreamPosition position = 3; Empty no_position = 4; } }
 *   AllStreamPosition { uint64 commit_position = 1; uint64 prepare_position = 2; }
 */
export function decodeBatchAppendSuccess(bytes: Uint8Array, generated: DeserializeGenerated): FastBatchAppendResp | undefined {
  return readOrUndefined(() => answer(new WireReader(bytes), () => generated(bytes)));
}

/** `BatchAppendResp` of the generated module the client loads: gRPC calls its `deserializeBinary` for every append's answer. */
export function clientBatchAppendRespClass(): { deserializeBinary: DeserializeGenerated } {
  return clientStreamsModule<{ BatchAppendResp: { deserializeBinary: DeserializeGenerated } }>().BatchAppendResp;
}

/** Idempotent. */
export function useFastBatchAppendRespDecoding(answerClass: { deserializeBinary: DeserializeGenerated } = clientBatchAppendRespClass()): void {
  installFastDeserializer(answerClass, Symbol.for('spillway.fastBatchAppendResp'), decodeBatchAppendSuccess);
}

function answer(reader: WireReader, generated: () => GeneratedMessage): FastBatchAppendResp {
  let correlationId: string | undefined;
  let success: FastBatchAppendSuccess | undefined;
  let identifier: FastStreamIdentifier | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    expectWireType(wireType, lengthDelimited);
    if (field === 1 && correlationId === undefined) correlationId = uuidString(reader.sub());
    else if (field === 3 && success === undefined) success = successOf(reader.sub());
    else if (field === 4 && identifier === undefined) identifier = new FastStreamIdentifier(streamName(reader.sub()));
    else bail();
  }
  return success === undefined ? bail() : new FastBatchAppendResp(correlationId, success, identifier, generated);
}

function successOf(reader: WireReader): FastBatchAppendSuccess {
  let revision: string | undefined;
  let position: FastAllStreamPosition | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1 && revision === undefined) {
      expectWireType(wireType, varint);
      revision = reader.uint64String();
    } else if (field === 3 && position === undefined) {
      expectWireType(wireType, lengthDelimited);
      position = positionOf(reader.sub());
    } else {
      bail();
    }
  }
  return revision === undefined || position === undefined ? bail() : new FastBatchAppendSuccess(revision, position);
}

function positionOf(reader: WireReader): FastAllStreamPosition {
  let commit: string | undefined;
  let prepare: string | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    expectWireType(wireType, varint);
    if (field === 1 && commit === undefined) commit = reader.uint64String();
    else if (field === 2 && prepare === undefined) prepare = reader.uint64String();
    else bail();
  }
  return new FastAllStreamPosition(commit ?? '0', prepare ?? '0');
}

/** A successful `BatchAppendResp`: result case SUCCESS (3), no expected stream position. */
export class FastBatchAppendResp extends DecodedByHand {
  readonly #correlationId: string | undefined;
  readonly #success: FastBatchAppendSuccess;
  readonly #identifier: FastStreamIdentifier | undefined;
  constructor(correlationId: string | undefined, success: FastBatchAppendSuccess, identifier: FastStreamIdentifier | undefined, generated: () => GeneratedMessage) {
    super(generated);
    this.#correlationId = correlationId;
    this.#success = success;
    this.#identifier = identifier;
  }
  getResultCase(): number {
    return 3;
  }
  getExpectedStreamPositionCase(): number {
    return 0;
  }
  hasCorrelationId(): boolean {
    return this.#correlationId !== undefined;
  }
  getCorrelationId(): FastUuid | undefined {
    return this.#correlationId === undefined ? undefined : new FastUuid(this.#correlationId);
  }
  hasError(): boolean {
    return false;
  }
  getError(): undefined {
    return undefined;
  }
  hasSuccess(): boolean {
    return true;
  }
  getSuccess(): FastBatchAppendSuccess {
    return this.#success;
  }
  hasStreamIdentifier(): boolean {
    return this.#identifier !== undefined;
  }
  getStreamIdentifier(): FastStreamIdentifier | undefined {
    return this.#identifier;
  }
  hasStreamPosition(): boolean {
    return false;
  }
  getStreamPosition(): string {
    return '0';
  }
  hasNoStream(): boolean {
    return false;
  }
  getNoStream(): undefined {
    return undefined;
  }
  hasAny(): boolean {
    return false;
  }
  getAny(): undefined {
    return undefined;
  }
  hasStreamExists(): boolean {
    return false;
  }
  getStreamExists(): undefined {
    return undefined;
  }
}

/** `Success` with a current revision and a position (the other members of its oneofs go to the generated decoder). */
export class FastBatchAppendSuccess {
  readonly #revision: string;
  readonly #position: FastAllStreamPosition;
  constructor(revision: string, position: FastAllStreamPosition) {
    this.#revision = revision;
    this.#position = position;
  }
  getCurrentRevisionOptionCase(): number {
    return 1;
  }
  getPositionOptionCase(): number {
    return 3;
  }
  hasCurrentRevision(): boolean {
    return true;
  }
  getCurrentRevision(): string {
    return this.#revision;
  }
  hasNoStream(): boolean {
    return false;
  }
  getNoStream(): undefined {
    return undefined;
  }
  hasPosition(): boolean {
    return true;
  }
  getPosition(): FastAllStreamPosition {
    return this.#position;
  }
  hasNoPosition(): boolean {
    return false;
  }
  getNoPosition(): undefined {
    return undefined;
  }
}

export class FastAllStreamPosition {
  readonly #commit: string;
  readonly #prepare: string;
  constructor(commit: string, prepare: string) {
    this.#commit = commit;
    this.#prepare = prepare;
  }
  getCommitPosition(): string {
    return this.#commit;
  }
  getPreparePosition(): string {
    return this.#prepare;
  }
}
