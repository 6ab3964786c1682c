import type { PlainUuid } from './batch-append-wire.ts';
import { WireWriter, delimitedSize, varintSize } from './read-event-wire.ts';

/**
 * The protobuf bytes of a successful `BatchAppendResp`, written directly: every append is answered
 * with one, and building it with the generated classes (five message objects, then their writer)
 * was 2-3% of the store's CPU. The bytes are the generated serializer's, field for field (the unit
 * spec compares them): fields in number order, zero int64/uint64 fields of plain messages left out,
 * oneof members written whatever their value. Failures still go through the generated classes.
 *
 *   BatchAppendResp { UUID correlation_id = 1; Success success = 3; StreamIdentifier stream_identifier = 4; }
 *   Success { oneof { uint64 current_revision = 1; Empty no_stream = 2; } oneof { AllStreamPosition position = 3; Empty no_position = 4; } }
 *   AllStreamPosition { uint64 commit_position = 1; uint64 prepare_position = 2; }
 *   UUID { oneof { Structured structured = 1; string string = 2; } }  Structured { int64 most = 1; int64 least = 2; }
 *   StreamIdentifier { bytes stream_name = 3; }
 */

const varint = 0;
const lengthDelimited = 2;

/**
 * `nextRevision` below 0 is `no_stream`; `position` below 0 is `no_position` (the engine's
 * outcome). `correlationId` is echoed in the form it came in.
 */
export function encodeBatchAppendSuccess(correlationId: PlainUuid | undefined, streamName: string, nextRevision: bigint, position: bigint): Buffer {
  const uuid = correlationId === undefined ? undefined : uuidBody(correlationId);
  const nameLength = Buffer.byteLength(streamName);
  const identifierSize = nameLength > 0 ? delimitedSize(nameLength) : 0;
  const positionSize = position > 0n ? 2 * (1 + varintSize(position)) : 0;
  const successSize = (nextRevision < 0n ? 2 : 1 + varintSize(nextRevision)) + (position < 0n ? 2 : delimitedSize(positionSize));
  const size = (uuid === undefined ? 0 : delimitedSize(uuid.length)) + delimitedSize(successSize) + delimitedSize(identifierSize);
  const writer = new WireWriter(size);
  if (uuid !== undefined) writer.tag(1, lengthDelimited).smallVarint(uuid.length).raw(uuid);
  writer.tag(3, lengthDelimited).smallVarint(successSize);
  if (nextRevision < 0n) writer.tag(2, lengthDelimited).smallVarint(0);
  else writer.tag(1, varint).varint(nextRevision);
  if (position < 0n) writer.tag(4, lengthDelimited).smallVarint(0);
  else {
    writer.tag(3, lengthDelimited).smallVarint(positionSize);
    if (position > 0n) writer.tag(1, varint).varint(position).tag(2, varint).varint(position);
  }
  writer.tag(4, lengthDelimited).smallVarint(identifierSize);
  if (nameLength > 0) writer.tag(3, lengthDelimited).smallVarint(nameLength).text(streamName, nameLength);
  return writer.done();
}

function uuidBody(uuid: PlainUuid): Uint8Array {
  if (uuid.structured !== undefined) {
    const most = BigInt(uuid.structured.most);
    const least = BigInt(uuid.structured.least);
    const innerSize = (most === 0n ? 0 : 1 + varintSize(most)) + (least === 0n ? 0 : 1 + varintSize(least));
    const writer = new WireWriter(delimitedSize(innerSize)).tag(1, lengthDelimited).smallVarint(innerSize);
    if (most !== 0n) writer.tag(1, varint).varint(most);
    if (least !== 0n) writer.tag(2, varint).varint(least);
    return writer.done();
  }
  if (uuid.text === undefined) return new Uint8Array(0);
  const length = Buffer.byteLength(uuid.text);
  return new WireWriter(delimitedSize(length)).tag(2, lengthDelimited).smallVarint(length).text(uuid.text, length).done();
}
